package io.estuary.core.server;

import io.estuary.api.ClientInfo;
import io.estuary.api.GatewayContext;
import io.estuary.api.Message;
import io.estuary.core.session.Broker;
import io.estuary.core.session.SessionEvents;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The adapters' session watches ({@link GatewayContext#watchSession}): the session core tells this of every attach
 * and end of a session ({@link SessionEvents}, on that session's executor, so one session's changes come in order),
 * and each change goes to the watchers of its client id on their own executors; every event also goes on to
 * {@code next} (the hook chain). Thread-safe: a client id's watchers are an immutable list replaced in a concurrent
 * map, so an attach or end of a session nobody watches costs one map look-up.
 */
public final class SessionWatches implements SessionEvents {
  private final Broker broker;
  private final SessionEvents next;
  private final ConcurrentHashMap<String, List<Watch>> byClientId = new ConcurrentHashMap<>();

  /** Watches over {@code broker}'s sessions, passing every event on to {@code next} (null: nobody). */
  public SessionWatches(Broker broker, SessionEvents next) {
    this.broker = broker;
    this.next = next == null ? SessionEvents.NONE : next;
  }

  /** {@link GatewayContext#watchSession}; returns what ends the watch. */
  public Runnable watch(String clientId, Executor executor, Consumer<Optional<ClientInfo>> listener) {
    Object session = broker.sessionIdentity(clientId);
    Watch w = new Watch(clientId, session, executor, listener);
    byClientId.compute(clientId, (id, ws) -> plus(ws, w));
    // in first, then looked again: a session that ended before the watch was in has left the registry by now
    if (session == null || broker.sessionIdentity(clientId) != session) {
      w.unlist();
      w.end();
    }
    return w::cancel;
  }

  /** Client ids with at least one watch (a snapshot, for tests and diagnostics). */
  public int watched() {
    return byClientId.size();
  }

  @Override
  public void offlineMessage(String clientId, Message m) {
    next.offlineMessage(clientId, m);
  }

  @Override
  public void sessionExpired(String clientId) {
    next.sessionExpired(clientId);
  }

  @Override
  public void sessionAttached(String clientId, Object session, ClientInfo client) {
    next.sessionAttached(clientId, session, client);
    List<Watch> ws = byClientId.get(clientId);
    if (ws != null) {
      Optional<ClientInfo> who = Optional.of(client);
      for (Watch w : ws) {
        if (w.session == session) { // not a watch of an earlier session of this client id, already told its end
          w.tell(who);
        }
      }
    }
  }

  @Override
  public void sessionEnded(String clientId, Object session) {
    next.sessionEnded(clientId, session);
    List<Watch> ws = byClientId.get(clientId);
    if (ws != null) {
      for (Watch w : ws) {
        if (w.session == session) { // a watch of a new session of this client id stays
          w.unlist();
          w.end();
        }
      }
    }
  }

  private static List<Watch> plus(List<Watch> ws, Watch w) {
    if (ws == null) {
      return List.of(w);
    }
    List<Watch> more = new ArrayList<>(ws.size() + 1);
    more.addAll(ws);
    more.add(w);
    return List.copyOf(more);
  }

  private static List<Watch> minus(List<Watch> ws, Watch w) {
    List<Watch> fewer = new ArrayList<>(ws);
    fewer.remove(w);
    return fewer.isEmpty() ? null : List.copyOf(fewer);
  }

  /** One watcher of one client id's session. */
  private final class Watch {
    private final String clientId;
    /** The session watched ({@code Broker.sessionIdentity}). */
    private final Object session;
    private final Executor executor;
    private final Consumer<Optional<ClientInfo>> listener;
    private volatile boolean cancelled;
    /** The end was told: nothing more is. */
    private final AtomicBoolean over = new AtomicBoolean();

    Watch(String clientId, Object session, Executor executor, Consumer<Optional<ClientInfo>> listener) {
      this.clientId = clientId;
      this.session = session;
      this.executor = executor;
      this.listener = listener;
    }

    /** Posted under the watch's lock: an attach and the end, told from different threads, keep their order. */
    synchronized void tell(Optional<ClientInfo> change) {
      if (!over.get()) {
        post(change);
      }
    }

    synchronized void end() {
      if (over.compareAndSet(false, true)) {
        post(Optional.empty());
      }
    }

    private void post(Optional<ClientInfo> change) {
      if (cancelled) {
        return;
      }
      try {
        executor.execute(() -> {
          if (!cancelled) {
            listener.accept(change);
          }
        });
      } catch (RejectedExecutionException stopped) {
        cancel(); // the adapter's executor is gone: nobody listens any more
      }
    }

    /** Out of the map (the watch stays usable for its last telling). */
    void unlist() {
      byClientId.computeIfPresent(clientId, (id, ws) -> minus(ws, this));
    }

    void cancel() {
      cancelled = true;
      unlist();
    }
  }
}
