package io.estuary.core.hooks;

import io.estuary.api.BrokerSession;
import io.estuary.api.ClientInfo;
import io.estuary.api.CloseReason;
import io.estuary.api.DeliveryId;
import io.estuary.api.Message;
import io.estuary.api.PublishOutcome;
import io.estuary.api.SubscribeOutcome;
import io.estuary.api.Subscription;
import io.estuary.api.TopicFilter;
import io.estuary.api.hooks.ClientEvent;
import io.estuary.api.hooks.HookName;
import io.estuary.api.hooks.PublishModifiers;
import io.estuary.api.hooks.PublishRequest;
import io.estuary.api.hooks.SubscribeModifiers;
import io.estuary.api.hooks.SubscribeRequest;
import io.estuary.api.hooks.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * The core's session seen through {@code auth_on_publish}, {@code on_publish}, {@code auth_on_subscribe},
 * {@code on_subscribe}, {@code on_unsubscribe}, {@code on_client_wakeup} and {@code on_client_offline/gone}.
 * While no plugin registered a call's hooks and no earlier call is still in a hook, the call goes straight
 * to the core's session (a volatile read or two). Otherwise the hooks are asked on the client's hook stripe
 * and the core's session is then called on the adapter's executor, in the order of the adapter's calls
 * ({@link #tail}); its stage still completes on that executor, as {@link BrokerSession} promises. Called by
 * the adapter one call at a time, normally from the sink's executor.
 */
final class HookedSession implements BrokerSession {
  private final BrokerSession session;
  private final HookChain chain;
  private final ClientInfo client;
  private final Executor executor;
  private final Ending ending;
  /** The auth_on_register mountpoint modifier, or null. */
  private final Remount remount;
  /** Completes once the last call that waited for a hook reached the core's session. */
  private volatile CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);

  /** Tells on_client_offline or on_client_gone once per connection. */
  static final class Ending {
    private final HookChain chain;
    private final ClientInfo client;
    private final boolean persistent;
    private final AtomicBoolean told = new AtomicBoolean();

    Ending(HookChain chain, ClientInfo client, boolean persistent) {
      this.chain = chain;
      this.client = client;
      this.persistent = persistent;
    }

    void ended(CloseReason reason) {
      if (reason == CloseReason.TAKEN_OVER || !told.compareAndSet(false, true)) {
        return; // taken over: the client is online through its new connection
      }
      chain.tell(persistent ? new ClientEvent.Offline(client, reason) : new ClientEvent.Gone(client, reason));
    }

    /** The session was discarded with its connection: gone, persistent or not. */
    void discarded() {
      if (told.compareAndSet(false, true)) {
        chain.tell(new ClientEvent.Gone(client, CloseReason.SESSION_EXPIRED));
      }
    }
  }

  HookedSession(BrokerSession session, HookChain chain, ClientInfo client, Executor executor, Ending ending) {
    this(session, chain, client, executor, ending, null);
  }

  HookedSession(BrokerSession session, HookChain chain, ClientInfo client, Executor executor, Ending ending,
      Remount remount) {
    this.remount = remount;
    this.session = session;
    this.chain = chain;
    this.client = client;
    this.executor = executor;
    this.ending = ending;
  }

  @Override
  public String clientId() {
    return session.clientId();
  }

  @Override
  public boolean sessionPresent() {
    return session.sessionPresent();
  }

  private boolean direct(HookName a, HookName b) {
    return tail.isDone() && !chain.has(a) && !chain.has(b);
  }

  // ---- publish ----------------------------------------------------------------------------------

  @Override
  public CompletionStage<PublishOutcome> publish(Message original) {
    Message message = remount == null ? original : remount.in(original);
    if (direct(HookName.AUTH_ON_PUBLISH, HookName.ON_PUBLISH)) {
      return session.publish(message);
    }
    return hookedPublish(message, session::publish);
  }

  @Override
  public void publishUnanswered(Message original) {
    Message message = remount == null ? original : remount.in(original);
    if (direct(HookName.AUTH_ON_PUBLISH, HookName.ON_PUBLISH)) {
      session.publishUnanswered(message);
      return;
    }
    afterAuthOnPublish(message, m -> {
      session.publishUnanswered(m);
      return null;
    });
  }

  @Override
  public CompletionStage<PublishOutcome> publishOnce(int key, Message original) {
    Message message = remount == null ? original : remount.in(original);
    if (direct(HookName.AUTH_ON_PUBLISH, HookName.ON_PUBLISH)) {
      return session.publishOnce(key, message);
    }
    return hookedPublish(message, m -> session.publishOnce(key, m));
  }

  private CompletionStage<PublishOutcome> hookedPublish(Message message,
      Function<Message, CompletionStage<PublishOutcome>> publish) {
    CompletableFuture<PublishOutcome> out = new CompletableFuture<>();
    afterAuthOnPublish(message, m -> {
      if (m == null) {
        out.complete(PublishOutcome.of(PublishOutcome.Status.NOT_AUTHORIZED)); // on the executor, as promised
      } else {
        publish.apply(m).whenComplete((o, err) -> {
          if (err != null) {
            out.completeExceptionally(err);
          } else {
            out.complete(o);
          }
        });
      }
      return null;
    });
    return out;
  }

  /**
   * Asks auth_on_publish, then on the adapter's executor in call order runs {@code then} with the message
   * as modified, or with null when refused; tells on_publish of an accepted message.
   */
  private void afterAuthOnPublish(Message message, Function<Message, Void> then) {
    CompletableFuture<Verdict<PublishModifiers>> verdict = chain.has(HookName.AUTH_ON_PUBLISH)
        ? chain.ask(HookName.AUTH_ON_PUBLISH, client.clientId(), chain.lateAuth(),
            p -> p.authOnPublish(new PublishRequest(client, message)))
        : CompletableFuture.completedFuture(Verdict.next());
    inOrder(verdict, v -> {
      if (v.isError()) {
        chain.refused(HookName.AUTH_ON_PUBLISH);
        then.apply(null);
        return;
      }
      Message m = v.isOk() && v.modifiers() != null ? v.modifiers().apply(message) : message;
      then.apply(m);
      if (chain.has(HookName.ON_PUBLISH)) {
        chain.tell(new ClientEvent.Published(client, m));
      }
    });
  }

  /** Runs {@code action} with the hook's answer on the adapter's executor, after every earlier hooked call. */
  private <T> void inOrder(CompletableFuture<T> answer, java.util.function.Consumer<T> action) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    tail.thenCombine(answer, (x, v) -> v).thenAccept(v -> {
      try {
        executor.execute(() -> {
          try {
            action.accept(v);
          } finally {
            done.complete(null);
          }
        });
      } catch (java.util.concurrent.RejectedExecutionException e) {
        done.complete(null); // the adapter's executor is gone: nobody waits for the answer
      }
    });
    tail = done;
  }

  @Override
  public boolean releaseKey(int key) {
    return session.releaseKey(key);
  }

  // ---- subscriptions ----------------------------------------------------------------------------

  @Override
  public CompletionStage<List<SubscribeOutcome>> subscribe(List<Subscription> original) {
    List<Subscription> subscriptions = remount == null ? original : remount.in(original);
    if (direct(HookName.AUTH_ON_SUBSCRIBE, HookName.ON_SUBSCRIBE)) {
      return session.subscribe(subscriptions);
    }
    CompletableFuture<Verdict<SubscribeModifiers>> verdict = chain.has(HookName.AUTH_ON_SUBSCRIBE)
        ? chain.ask(HookName.AUTH_ON_SUBSCRIBE, client.clientId(), chain.lateAuth(),
            p -> p.authOnSubscribe(new SubscribeRequest(client, subscriptions)))
        : CompletableFuture.completedFuture(Verdict.next());
    CompletableFuture<List<SubscribeOutcome>> out = new CompletableFuture<>();
    inOrder(verdict, v -> SubscribeRewrite.apply(v, subscriptions, session, chain, client, out));
    return out;
  }

  @Override
  public CompletionStage<List<Boolean>> unsubscribe(List<TopicFilter> original) {
    List<TopicFilter> filters = remount == null ? original : remount.filtersIn(original);
    if (direct(HookName.ON_UNSUBSCRIBE, HookName.ON_UNSUBSCRIBE)) {
      return session.unsubscribe(filters);
    }
    CompletableFuture<List<Boolean>> out = new CompletableFuture<>();
    inOrder(CompletableFuture.completedFuture(null), x -> {
      List<String> names = new ArrayList<>();
      filters.forEach(f -> names.add(f.value()));
      chain.tell(new ClientEvent.Unsubscribed(client, names));
      pipe(session.unsubscribe(filters), out);
    });
    return out;
  }

  static <T> void pipe(CompletionStage<T> from, CompletableFuture<T> to) {
    from.whenComplete((v, err) -> {
      if (err != null) {
        to.completeExceptionally(err);
      } else {
        to.complete(v);
      }
    });
  }

  // ---- the rest goes straight through -----------------------------------------------------------

  @Override
  public void received(DeliveryId id) {
    session.received(id);
  }

  @Override
  public void acknowledge(DeliveryId id) {
    session.acknowledge(id);
  }

  @Override
  public void acknowledge(List<DeliveryId> ids) {
    session.acknowledge(ids);
  }

  @Override
  public void sleep() {
    session.sleep();
  }

  @Override
  public CompletionStage<Void> wake() {
    if (chain.has(HookName.ON_CLIENT_WAKEUP)) {
      chain.tell(new ClientEvent.WokeUp(client));
    }
    return session.wake();
  }

  @Override
  public void creditsAvailable() {
    session.creditsAvailable();
  }

  @Override
  public void updateWill(Message will) {
    session.updateWill(remount == null ? will : remount.in(will));
  }

  @Override
  public void close(CloseReason reason) {
    ending.ended(reason);
    if (tail.isDone()) {
      session.close(reason);
    } else {
      inOrder(CompletableFuture.completedFuture(null), x -> session.close(reason));
    }
  }

  /**
   * At once, not behind calls still waiting in a hook: a discarded session takes nothing more (the core's
   * session refuses their later calls as closed), and a discard queued behind a hook could be lost — at the
   * gateway's shutdown the broker ends the connection first, so the discard would find it gone and the
   * session would be kept for the restart.
   */
  @Override
  public void discard() {
    ending.discarded();
    session.discard();
  }

  @Override
  public int queued() {
    return session.queued();
  }

  @Override
  public long queuedBytes() {
    return session.queuedBytes();
  }

  /** For tests: whether calls are waiting in a hook. */
  boolean waiting() {
    return !tail.isDone();
  }
}
