package io.estuary.mqttsn.channel;

import io.estuary.api.BrokerSession;
import io.estuary.api.Delivery;
import io.estuary.api.Message;
import io.estuary.mqttsn.codec.MqttSnFrame;
import io.estuary.mqttsn.codec.MqttSnFrame.Puback;
import io.estuary.mqttsn.codec.MqttSnFrame.Pubcomp;
import io.estuary.mqttsn.codec.MqttSnFrame.Publish;
import io.estuary.mqttsn.codec.MqttSnFrame.Pubrec;
import io.estuary.mqttsn.codec.MqttSnFrame.Pubrel;
import io.estuary.mqttsn.codec.MqttSnFrame.Regack;
import io.estuary.mqttsn.codec.MqttSnFrame.Register;
import io.estuary.mqttsn.codec.ReturnCode;
import io.estuary.mqttsn.codec.TopicRef;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Gateway → client half of a channel: picks the topic reference for each delivery (predefined id,
 * registered id, short name, or a REGISTER first, §6.10), tracks QoS 1/2 and REGISTER exchanges by
 * MsgId, and resends them after {@code retry_interval} (§6.13). REGISTERs share the client's inflight
 * window ({@code max_inflight}) with QoS 1/2 PUBLISHes: a wildcard SUBSCRIBE matching many retained topics
 * queues its REGISTERs and sends the next one as an answer frees the window. The gateway holds at most
 * {@code max_mqueue_len} deliveries for a client (QoS 0 beyond it is dropped; QoS 1/2 are bounded by the
 * broker's receive maximum, also {@code max_inflight}), and sends a client that stays silent at most
 * {@code max_unanswered_bytes} of QoS 0. Owned by the channel's thread.
 */
final class Outbound {

  private enum Kind { REGISTER, PUBLISH, PUBREL }

  /** An exchange waiting for the client's answer. */
  private static final class Inflight {
    Kind kind;
    final Delivery delivery;
    final String topic;
    MqttSnFrame frame;
    long sentAt;
    int retries;

    Inflight(Kind kind, Delivery delivery, String topic, MqttSnFrame frame, long sentAt) {
      this.kind = kind;
      this.delivery = delivery;
      this.topic = topic;
      this.frame = frame;
      this.sentAt = sentAt;
    }
  }

  private final MqttSnChannel ch;
  private final ArrayDeque<Delivery> held = new ArrayDeque<>();
  private final Map<Integer, Inflight> inflight = new LinkedHashMap<>();
  private final Map<String, List<Delivery>> awaitingRegack = new HashMap<>();
  /** Deliveries whose topic needs a REGISTER while the inflight window is full, in order. */
  private final ArrayDeque<Delivery> registerQueue = new ArrayDeque<>();
  private int holds;
  private boolean draining;
  private int nextMsgId = 1;
  /** Draws where the next msg id starts (a client that has not proved its address, issue #13), then cleared. */
  private java.util.function.IntUnaryOperator randomStart;

  Outbound(MqttSnChannel ch) {
    this.ch = ch;
  }

  /**
   * The next msg id the gateway allocates starts at a place drawn by {@code random} (bound → 0..bound-1), so an
   * acknowledgement echoing it proves the client received the message; drawn at that allocation, once.
   */
  void randomise(java.util.function.IntUnaryOperator random) {
    randomStart = random;
  }

  void deliver(Delivery d) {
    if (d.message().qos() == 0 && buffered() >= ch.config().limits().maxMqueueLen()
        && (holding() || !registerQueue.isEmpty() || needsRegistration(d))) {
      ch.limit("max_mqueue_len", "QoS 0 delivery on " + d.message().topic() + " beyond max_mqueue_len");
      return;
    }
    if (holding()) {
      held.add(d);
    } else {
      send(d);
    }
  }

  /** Holds deliveries while a SUBSCRIBE is unanswered, so none precedes the SUBACK naming its topic id. */
  void holdWhile(boolean start) {
    holds += start ? 1 : -1;
    releaseHeld();
  }

  void releaseHeld() {
    while (!holding() && !held.isEmpty()) {
      send(held.poll());
    }
    drainRegisterQueue();
    if (ch.awake()) {
      ch.checkAwakeDone();
    }
  }

  /** Deliveries the gateway holds: behind a SUBACK or a REGACK (not those in flight). */
  int buffered() {
    int n = held.size() + registerQueue.size();
    for (List<Delivery> waiting : awaitingRegack.values()) {
      n += waiting.size();
    }
    return n;
  }

  /** Whether {@code msgId} is one the gateway sent (PUBLISH, PUBREL or REGISTER) and still awaits an answer to. */
  boolean awaits(int msgId) {
    return inflight.containsKey(msgId);
  }

  /** Nothing held, registering or unacknowledged. */
  boolean idle() {
    return held.isEmpty() && inflight.isEmpty() && awaitingRegack.isEmpty() && registerQueue.isEmpty();
  }

  /** Forgets everything: the broker redelivers unacknowledged messages to the next connection. */
  void reset() {
    held.clear();
    inflight.clear();
    awaitingRegack.clear();
    registerQueue.clear();
    holds = 0;
  }

  private boolean holding() {
    return holds > 0 || ch.session() == null || ch.asleep();
  }

  private void send(Delivery d) {
    Message m = d.message();
    if (d.releasePending()) { // QoS 2 after PUBREC, resumed: only PUBREL is left (MQTT 5 §4.4)
      track(Kind.PUBREL, d, null, msgId -> new Pubrel(msgId));
      return;
    }
    String name = ch.mountpoint().unmount(m.topic());
    TopicRef ref = ref(name);
    if (ref != null) {
      publish(d, ref);
      return;
    }
    List<Delivery> waiting = awaitingRegack.get(name);
    if (waiting != null) {
      waiting.add(d);
      return;
    }
    if (windowFull() || (!draining && !registerQueue.isEmpty())) {
      if (draining) {
        registerQueue.addFirst(d);
      } else {
        registerQueue.add(d); // behind earlier registrations, or until an answer frees the window
      }
      return;
    }
    int id = ch.topics().idFor(name);
    if (id < 0) {
      ch.limit("max_topic_ids", "delivery on " + name + " needs a topic id beyond max_topic_ids");
      ack(d);
      return;
    }
    waiting = new ArrayList<>();
    waiting.add(d);
    awaitingRegack.put(name, waiting);
    track(Kind.REGISTER, null, name, msgId -> new Register(id, msgId, name)); // §6.10
  }

  private boolean windowFull() {
    return inflight.size() >= ch.config().maxInflight();
  }

  /** Whether {@code d} would need a REGISTER now. */
  private boolean needsRegistration(Delivery d) {
    return ref(ch.mountpoint().unmount(d.message().topic())) == null;
  }

  /** Sends queued registrations while the inflight window has room. */
  private void drainRegisterQueue() {
    while (!registerQueue.isEmpty() && !windowFull() && !holding()) {
      draining = true; // the head may go first: what is behind it in the queue came later
      try {
        send(registerQueue.pollFirst());
      } finally {
        draining = false;
      }
    }
  }

  private TopicRef ref(String name) {
    if (awaitingRegack.containsKey(name)) {
      return null;
    }
    int predefined = ch.config().predefinedId(name);
    if (predefined > 0) {
      return new TopicRef.Predefined(predefined);
    }
    int id = ch.topics().idOf(name);
    if (id > 0) {
      return new TopicRef.Id(id);
    }
    if (name.length() == 2 && name.charAt(0) <= 0x7F && name.charAt(1) <= 0x7F) {
      return new TopicRef.Short(name); // §3: two-character names need no registration
    }
    return null;
  }

  private void publish(Delivery d, TopicRef ref) {
    Message m = d.message();
    if (m.qos() == 0) {
      if (!ch.spendUnanswered(m.payload().size() + 7)) { // 7: the PUBLISH header with the 3-octet length
        ch.limit("max_unanswered_bytes", "QoS 0 delivery on " + m.topic() + ": the client was not heard since "
            + ch.config().limits().maxUnansweredBytes() + " bytes");
        return;
      }
      ch.send(new Publish(false, 0, m.retain(), ref, 0, m.payload()));
      return;
    }
    track(Kind.PUBLISH, d, null, msgId -> new Publish(d.duplicate(), m.qos(), m.retain(), ref, msgId, m.payload()));
  }

  private void track(Kind kind, Delivery d, String topic, java.util.function.IntFunction<MqttSnFrame> frame) {
    int msgId = allocateMsgId();
    MqttSnFrame f = frame.apply(msgId);
    inflight.put(msgId, new Inflight(kind, d, topic, f, ch.now()));
    ch.send(f);
  }

  private int allocateMsgId() {
    if (randomStart != null) {
      nextMsgId = 1 + randomStart.applyAsInt(0xFFFF);
      randomStart = null;
    }
    for (int i = 0; i < 0xFFFF; i++) {
      int id = nextMsgId;
      nextMsgId = nextMsgId >= 0xFFFF ? 1 : nextMsgId + 1;
      if (!inflight.containsKey(id)) {
        return id;
      }
    }
    throw new IllegalStateException("65535 exchanges in flight"); // bounded by max_inflight long before
  }

  // ------------------------------------------------------------------ answers from the client

  void onRegack(Regack r) {
    Inflight f = inflight.get(r.msgId());
    if (f == null || f.kind != Kind.REGISTER) {
      ch.drop("unexpected", "REGACK for msg id " + r.msgId());
      return;
    }
    inflight.remove(r.msgId());
    List<Delivery> waiting = awaitingRegack.remove(f.topic);
    if (r.returnCode() == ReturnCode.ACCEPTED) {
      waiting.forEach(this::send);
    } else {
      ch.drop("register_rejected", "REGISTER of " + f.topic + ": " + r.returnCode());
      ch.topics().remove(f.topic);
      waiting.forEach(this::ack);
    }
    afterAnswer();
  }

  void onPuback(Puback a) {
    Inflight f = inflight.get(a.msgId());
    if (f == null || f.kind != Kind.PUBLISH) {
      ch.drop("unexpected", "PUBACK for msg id " + a.msgId());
      return;
    }
    inflight.remove(a.msgId());
    if (a.returnCode() == ReturnCode.REJECTED_INVALID_TOPIC_ID
        && ((Publish) f.frame).topic() instanceof TopicRef.Id id) {
      String name = ch.topics().name(id.id()); // the client lost the registration: register again next time
      if (name != null) {
        ch.topics().remove(name);
      }
    }
    ack(f.delivery);
    afterAnswer();
  }

  void onPubrec(Pubrec r) {
    Inflight f = inflight.get(r.msgId());
    if (f == null) {
      ch.send(new Pubrel(r.msgId())); // a duplicate PUBREC after PUBCOMP: answer anyway
      return;
    }
    if (f.kind == Kind.PUBLISH) {
      ch.session().received(f.delivery.id());
      f.kind = Kind.PUBREL;
      f.frame = new Pubrel(r.msgId());
      f.retries = 0;
    }
    f.sentAt = ch.now();
    ch.send(f.frame);
  }

  void onPubcomp(Pubcomp c) {
    Inflight f = inflight.get(c.msgId());
    if (f == null || f.kind != Kind.PUBREL) {
      ch.drop("unexpected", "PUBCOMP for msg id " + c.msgId());
      return;
    }
    inflight.remove(c.msgId());
    ack(f.delivery);
    afterAnswer();
  }

  private void afterAnswer() {
    drainRegisterQueue();
    if (ch.awake()) {
      ch.checkAwakeDone();
    }
  }

  private void ack(Delivery d) {
    BrokerSession s = ch.session();
    if (s != null && d.message().qos() > 0) {
      s.acknowledge(d.id());
    }
  }

  /** The earliest time a resend is due, or {@code Long.MAX_VALUE} with nothing in flight. */
  long nextRetryAt(long interval) {
    long at = Long.MAX_VALUE;
    for (Inflight f : inflight.values()) {
      at = Math.min(at, f.sentAt + interval);
    }
    return at;
  }

  /** Resends what is due; false when an exchange ran out of retries (the client is lost). */
  boolean retry(long now) {
    long interval = ch.config().retryInterval().toMillis();
    for (Map.Entry<Integer, Inflight> e : inflight.entrySet()) {
      Inflight f = e.getValue();
      if (now - f.sentAt < interval) {
        continue;
      }
      if (f.retries >= ch.config().maxRetries()) {
        return false;
      }
      f.retries++;
      f.sentAt = now;
      if (f.frame instanceof Publish p && !p.dup()) {
        f.frame = new Publish(true, p.qos(), p.retain(), p.topic(), p.msgId(), p.data()); // §5.3.4 DUP
      }
      ch.send(f.frame);
    }
    return true;
  }
}
