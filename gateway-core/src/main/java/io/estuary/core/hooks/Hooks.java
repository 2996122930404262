package io.estuary.core.hooks;

import io.estuary.api.AuthResult;
import io.estuary.api.BrokerSession;
import io.estuary.api.ClientCredentials;
import io.estuary.api.ClientInfo;
import io.estuary.api.DeliverySink;
import io.estuary.api.Message;
import io.estuary.api.PublishOutcome;
import io.estuary.api.SessionOptions;
import io.estuary.api.hooks.ClientEvent;
import io.estuary.api.hooks.HookName;
import io.estuary.api.hooks.PublishRequest;
import io.estuary.api.hooks.RegisterModifiers;
import io.estuary.api.hooks.Verdict;
import io.estuary.core.session.Broker;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletionStage;

/**
 * The hook points of one adapter's {@code GatewayContext}: auth_on_register before the gateway's own
 * authenticator, on_register and on_client_wakeup when a session opens (which is wrapped in a
 * {@link HookedSession} and {@link HookedSink}), auth_on_publish and on_publish for publishes without a
 * session. Used only when plugins are loaded. Thread-safe.
 *
 * <p>auth_on_register's modifiers (mountpoint, client id) reach the session through {@link #pending}: the
 * adapter authenticates, then opens the session for the same client id and peer; the modifiers wait in
 * between, in a table bounded in size ({@value #MAX_PENDING}) and time ({@link #PENDING_TTL_NANOS}).
 */
public final class Hooks {
  static final int MAX_PENDING = 10_000;
  static final long PENDING_TTL_NANOS = 60_000_000_000L;

  private final HookChain chain;
  private final Broker broker;
  private final ConcurrentHashMap<String, Pending> pending = new ConcurrentHashMap<>();

  private record Pending(RegisterModifiers modifiers, long at) {}

  public Hooks(HookChain chain, Broker broker) {
    this.chain = chain;
    this.broker = broker;
  }

  /** auth_on_register first; when every plugin passes, the gateway's authenticator. Completes on a hook thread or the authenticator's. */
  public CompletionStage<AuthResult> authenticate(ClientCredentials c) {
    if (!chain.has(HookName.AUTH_ON_REGISTER)) {
      return broker.authenticate(c);
    }
    String key = key(c.clientId(), c.peer());
    pending.remove(key);
    return chain.authenticate(c, m -> park(key, m)).thenCompose(r -> r != null ? CompletableFuture.completedFuture(r) : broker.authenticate(c));
  }

  /** Opens the session with the sink wrapped for on_deliver; wraps the session for the other hooks. */
  public CompletionStage<BrokerSession> openSession(ClientInfo asked, SessionOptions askedOptions, DeliverySink sink,
      String protocol) {
    Pending p = pending.isEmpty() ? null : pending.remove(key(asked.clientId(), asked.peer()));
    ClientInfo client = asked;
    SessionOptions options = askedOptions;
    Remount remount = null;
    if (p != null && System.nanoTime() - p.at() < PENDING_TTL_NANOS) {
      RegisterModifiers m = p.modifiers();
      remount = Remount.of(asked.mountpoint(), m.mountpoint());
      client = new ClientInfo(m.clientId() != null ? m.clientId() : asked.clientId(), asked.username(),
          asked.protocol(), asked.listener(), asked.peer(), m.mountpoint() != null ? m.mountpoint() : asked.mountpoint(),
          asked.authIdentity());
      if (remount != null && options.will() != null) {
        options = options.toBuilder().will(remount.in(options.will())).build();
      }
    }
    return open(client, options, sink, protocol, remount);
  }

  private CompletionStage<BrokerSession> open(ClientInfo client, SessionOptions options, DeliverySink sink,
      String protocol, Remount remount) {
    HookedSession.Ending ending = new HookedSession.Ending(chain, client, options.persistent());
    HookedSink hooked = new HookedSink(sink, chain, client, ending, remount);
    return broker.openSession(client, options, hooked, protocol).thenApply(s -> {
      hooked.bind(s); // on the sink's executor, before any delivery
      chain.tell(new ClientEvent.Registered(client, s.sessionPresent()));
      chain.tell(new ClientEvent.WokeUp(client));
      return new HookedSession(s, chain, client, sink.executor(), ending, remount);
    });
  }

  private static String key(String clientId, java.net.InetSocketAddress peer) {
    return (clientId == null ? "" : clientId) + '\u0000' + peer;
  }

  private void park(String key, RegisterModifiers m) {
    if (pending.size() >= MAX_PENDING) {
      long now = System.nanoTime();
      pending.values().removeIf(p -> now - p.at() >= PENDING_TTL_NANOS);
      if (pending.size() >= MAX_PENDING) {
        return; // a flood of registrations that never open a session: their modifiers are not kept
      }
    }
    pending.put(key, new Pending(m, System.nanoTime()));
  }

  /** A publish without a session: auth_on_publish, then the broker, then on_publish. */
  public CompletionStage<PublishOutcome> publish(ClientInfo publisher, Message message, String protocol) {
    if (publisher == null || !chain.has(HookName.AUTH_ON_PUBLISH) && !chain.has(HookName.ON_PUBLISH)) {
      return broker.publish(publisher, message, protocol);
    }
    CompletableFuture<Verdict<io.estuary.api.hooks.PublishModifiers>> verdict = chain.has(HookName.AUTH_ON_PUBLISH)
        ? chain.ask(HookName.AUTH_ON_PUBLISH, publisher.clientId(), chain.lateAuth(),
            p -> p.authOnPublish(new PublishRequest(publisher, message)))
        : CompletableFuture.completedFuture(Verdict.next());
    return verdict.thenCompose(v -> {
      if (v.isError()) {
        chain.refused(HookName.AUTH_ON_PUBLISH);
        return CompletableFuture.completedFuture(PublishOutcome.of(PublishOutcome.Status.NOT_AUTHORIZED));
      }
      Message m = v.isOk() && v.modifiers() != null ? v.modifiers().apply(message) : message;
      return broker.publish(publisher, m, protocol).thenApply(o -> {
        if (o.accepted()) {
          chain.tell(new ClientEvent.Published(publisher, m));
        }
        return o;
      });
    });
  }
}
