package io.estuary.coap;

import io.estuary.api.BrokerSession;
import io.estuary.api.ClientInfo;
import io.estuary.api.CloseReason;
import io.estuary.api.Delivery;
import io.estuary.api.DeliverySink;
import io.estuary.api.TopicFilter;
import io.estuary.api.topic.Topics;
import io.estuary.coap.observe.Notification;
import io.estuary.coap.observe.Observer;
import io.estuary.coap.observe.Ping;
import io.estuary.coap.observe.ObserverEvents;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.network.Exchange;
import org.eclipse.californium.elements.util.SerialExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One CoAP client id = one broker session, its token, heartbeat and observe relations. Mutable state
 * is owned by {@link #executor()} (a serial executor); {@link #credits()}, {@link #lastSeen} and
 * {@link #token()} may be read from any thread.
 */
public final class CoapDevice implements DeliverySink, ObserverEvents {
  private static final Logger LOG = LoggerFactory.getLogger(CoapDevice.class);

  private final String clientId;
  private final String token;
  private final SerialExecutor executor;
  private final Clock clock;
  private final int capacity;
  private final CoapMetrics metrics;
  private final java.util.function.Consumer<CloseReason> onClosed;
  private final int maxUnanswered;
  private final Runnable slot;
  /** NON notifications sent since the device was last heard from (a request or an ACK). */
  private final AtomicInteger unanswered = new AtomicInteger();
  private final AtomicInteger pending = new AtomicInteger();
  private volatile boolean starved;
  private volatile long lastSeenMillis;
  private volatile boolean closed;
  private volatile ClientInfo client;
  /**
   * False for a connectionless device opened by an observe until its address answers (a ping's RST, an acknowledged
   * CON notification): while unproven every notification goes CON, and it is closed at half_open_timeout.
   */
  private volatile boolean proven = true;
  /** Gives back the max_half_open place of an unproven observer device (idempotent; a no-op once proven). */
  private volatile Runnable halfOpenPlace = () -> { };
  private Ping ping; // owned by executor
  private BrokerSession session;
  // owned by executor
  private final Map<String, Observer> observers = new LinkedHashMap<>();
  private final Map<Integer, Observer> bySubscriptionId = new HashMap<>();
  private int nextSubscriptionId = 1;
  /** The observed filters (at most {@link #LISTED_OBSERVATIONS}) for the client listing, read from any thread. */
  private volatile List<String> observed = List.of();
  private volatile int observationCount;
  static final int LISTED_OBSERVATIONS = 32;

  /**
   * @param token the connection token, or null for a device opened connectionless (by an observe)
   * @param maxUnanswered NON notifications sent without hearing from the device before the next goes as CON
   * @param slot gives back the device's slot of its listener's max_connections (idempotent)
   * @param onClosed runs once on the executor after the session ended, to drop the device from the registry
   */
  CoapDevice(String clientId, String token, Executor pool, Clock clock, int capacity, CoapMetrics metrics,
      int maxUnanswered, Runnable slot, java.util.function.Consumer<CloseReason> onClosed) {
    this.maxUnanswered = maxUnanswered;
    this.slot = slot;
    this.clientId = clientId;
    this.token = token;
    this.executor = new SerialExecutor(pool);
    this.clock = clock;
    this.capacity = capacity;
    this.metrics = metrics;
    this.onClosed = onClosed;
    this.lastSeenMillis = clock.millis();
  }

  public String clientId() {
    return clientId;
  }

  /** The connection token, or null for a connectionless device. */
  public String token() {
    return token;
  }

  public boolean isClosed() {
    return closed;
  }

  /** The broker session; call only on {@link #executor()}. */
  public BrokerSession session() {
    executor.assertOwner();
    return session;
  }

  void opened(BrokerSession s) {
    this.session = s;
  }

  /** Who the session was opened for (its ACL identity); any thread. */
  public ClientInfo client() {
    return client;
  }

  void client(ClientInfo c) {
    this.client = c;
  }

  /**
   * Whether a connectionless request by {@code requester} may use this device: only a connectionless device
   * (a connection-mode one is reached with its token) opened with the same username and DTLS identity.
   * Any thread.
   */
  public boolean usableBy(ClientInfo requester) {
    ClientInfo c = client;
    return token == null && c != null && java.util.Objects.equals(c.username(), requester.username())
        && java.util.Objects.equals(c.authIdentity(), requester.authIdentity());
  }

  /**
   * Marks a new connectionless observer device unproven (half_open_timeout on) holding one of the max_half_open
   * places, given back by {@code place} once it is proven or ends; before it is shared.
   */
  void halfOpen(Runnable place) {
    proven = false;
    halfOpenPlace = place;
  }

  /** Whether the device's address has been shown to receive what we send (always true in connection mode). */
  public boolean isProven() {
    return proven;
  }

  /**
   * Pings the address of {@code observe} (the observe GET that opened this device) unless the device is proven or a
   * ping is already out; the answer proves the device. On the executor.
   */
  public void probe(Exchange observe) {
    executor.assertOwner();
    if (proven || closed || ping != null) {
      return;
    }
    ping = Ping.send(observe, () -> executor.execute(this::proved));
  }

  private void proved() {
    if (!proven && !closed) {
      proven = true;
      metrics.halfOpenProven.increment();
      halfOpenPlace.run();
    }
    if (ping != null) {
      ping.cancel();
    }
  }

  /**
   * half_open_timeout has passed since the device opened: still unproven, it is closed (its relations cancelled
   * without a final notification: the address never answered, so it gets nothing more) and counted. On the executor.
   */
  void halfOpenExpired() {
    executor.assertOwner();
    if (proven || closed) {
      return;
    }
    metrics.halfOpenTimeouts.increment();
    LOG.debug("{}: observer address never answered within half_open_timeout, closing", clientId);
    if (ping != null) {
      ping.cancel();
    }
    for (Observer o : List.copyOf(observers.values())) {
      o.close(null);
    }
    close(CloseReason.KEEPALIVE_TIMEOUT);
  }

  /** Any valid request from the client, or an acknowledged notification, keeps it alive. */
  public void touch() {
    lastSeenMillis = clock.millis();
    unanswered.set(0);
  }

  /** Gives back the device's listener slot (also when its session never opened); idempotent, any thread. */
  void releaseSlot() {
    slot.run();
  }

  /**
   * Whether the next notification may go NON: false once {@code max_unanswered_notifications} NON notifications
   * went out since the device was last heard from, so the next one is confirmable and a silent (or spoofed)
   * address ends its relations after that one times out (RFC 7641 §4.5). Any thread.
   */
  @Override
  public boolean mayNotifyNon() {
    if (!proven) {
      return false; // an unproven address gets CON only: the first unanswered one ends the relation
    }
    if (unanswered.incrementAndGet() <= maxUnanswered) {
      return true;
    }
    unanswered.decrementAndGet();
    metrics.notificationsChecked.increment();
    return false;
  }

  /** Observe relations this device holds; on the executor. */
  public int observations() {
    executor.assertOwner();
    return observers.size();
  }

  long lastSeen() {
    return lastSeenMillis;
  }

  /** Connectionless devices live while they observe something; called on the executor. */
  boolean hasObservers() {
    return !observers.isEmpty();
  }

  @Override
  public Executor executor() {
    return executor;
  }

  @Override
  public int credits() {
    int c = capacity - pending.get();
    if (c <= 0) {
      starved = true;
      return 0;
    }
    return c;
  }

  /** A new subscription id for an observer (MQTT 5 subscription identifier, routes deliveries). */
  public int newSubscriptionId() {
    executor.assertOwner();
    int id = nextSubscriptionId;
    nextSubscriptionId = nextSubscriptionId >= 268_435_455 ? 1 : nextSubscriptionId + 1;
    return id;
  }

  /** The observer currently on {@code filter}, or null. */
  public Observer observer(String filter) {
    executor.assertOwner();
    return observers.get(filter);
  }

  /** Adds an observer; one already on the same filter is ended quietly (the subscription stays). */
  public void addObserver(Observer o) {
    executor.assertOwner();
    Observer old = observers.put(o.filter(), o);
    if (old != null) {
      bySubscriptionId.remove(old.subscriptionId());
      old.close(null);
    }
    bySubscriptionId.put(o.subscriptionId(), o);
    listed();
  }

  /** Publishes the observed filters to the listing; on the executor after every change. */
  private void listed() {
    observationCount = observers.size();
    // sorted: the listing does not depend on which of two concurrent observes came first
    observed = observers.keySet().stream().sorted().limit(LISTED_OBSERVATIONS).toList();
  }

  /** Removes {@code o} if it is still the observer of its filter; returns whether it was. */
  public boolean removeObserver(Observer o) {
    executor.assertOwner();
    if (observers.get(o.filter()) != o) {
      return false;
    }
    observers.remove(o.filter());
    bySubscriptionId.remove(o.subscriptionId());
    listed();
    return true;
  }

  @Override
  public void deliver(Delivery delivery) {
    List<Observer> targets = route(delivery);
    if (targets.isEmpty()) {
      LOG.debug("{}: no observer for {}", clientId, delivery.message().topic());
      settle(delivery, true);
      return;
    }
    if (pending.get() + targets.size() > capacity) {
      metrics.notificationsDropped.increment();
      LOG.debug("{}: notification queue full ({}), dropping message on {}", clientId, capacity,
          delivery.message().topic());
      settle(delivery, false);
      return;
    }
    int[] remaining = {targets.size()};
    for (Observer o : targets) {
      pending.incrementAndGet();
      o.enqueue(new Notification(delivery.message(), delivered -> {
        if (delivered) {
          metrics.notificationsSent.increment();
        }
        released();
        if (--remaining[0] == 0) {
          settle(delivery, true);
        }
      }));
    }
  }

  private List<Observer> route(Delivery d) {
    List<Observer> out = new ArrayList<>();
    for (Integer id : d.subscriptionIds()) {
      Observer o = bySubscriptionId.get(id);
      if (o != null && !out.contains(o)) {
        out.add(o);
      }
    }
    if (out.isEmpty()) {
      for (Observer o : observers.values()) {
        if (Topics.matchesSubscription(o.filter(), d.message().topic())) {
          out.add(o);
        }
      }
    }
    return out;
  }

  /** Frees the delivery's inflight slot (a CoAP client has no PUBACK: sent, acknowledged or dropped all end it). */
  private void settle(Delivery d, boolean delivered) {
    if (d.message().qos() > 0 && session != null && !closed) {
      if (d.message().qos() == 2) {
        session.received(d.id());
      }
      session.acknowledge(d.id());
    }
  }

  private void released() {
    pending.decrementAndGet();
    if (starved && pending.get() < capacity && session != null && !closed) {
      starved = false;
      session.creditsAvailable();
    }
  }

  @Override
  public void acknowledged(Observer observer) {
    touch();
    proved();
  }

  @Override
  public void lost(Observer observer, String why) {
    metrics.notificationTimeouts.increment();
    LOG.debug("{}: observe of {} ended: {}", clientId, observer.filter(), why);
    unsubscribeGone(observer);
  }

  /** The relation went away under us (RST, cancel, timeout): drop its subscription if still current. */
  public void unsubscribeGone(Observer observer) {
    observer.close(null);
    if (removeObserver(observer) && session != null && !closed) {
      session.unsubscribe(List.of(new TopicFilter(observer.filter())));
    }
  }

  /** Ends the device from our side (DELETE, heartbeat lapse, shutdown); on the executor. */
  public void close(CloseReason reason) {
    executor.assertOwner();
    if (closed) {
      return;
    }
    BrokerSession s = session;
    ended(reason);
    if (s != null) {
      s.close(reason);
    }
  }

  @Override
  public void sessionClosed(CloseReason reason) {
    LOG.debug("{}: session closed by the broker: {}", clientId, reason);
    ended(reason);
  }

  private void ended(CloseReason reason) {
    if (closed) {
      return;
    }
    closed = true;
    slot.run();
    halfOpenPlace.run();
    if (ping != null) {
      ping.cancel();
    }
    ResponseCode code = reason == CloseReason.SERVER_SHUTDOWN ? ResponseCode.SERVICE_UNAVAILABLE : ResponseCode.UNAUTHORIZED;
    for (Observer o : List.copyOf(observers.values())) {
      o.close(code);
    }
    observers.clear();
    bySubscriptionId.clear();
    listed();
    onClosed.accept(reason);
  }

  @Override
  public Map<String, Object> attributes() {
    return Map.of("token", token == null ? "" : "set", "pending", pending.get(), "observations", observationCount,
        "observed", observed);
  }
}
