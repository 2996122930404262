package io.estuary.core.session;

import io.estuary.api.Message;
import io.estuary.core.store.StoredMessage;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One session's queue of messages not yet sent, in arrival order, with what the caps count: its size
 * in messages and bytes, the messages queued beyond the caps whose publishers wait (overflow =
 * BACKPRESSURE), and the QoS 2 copies that wait for their publish to be durable (gates). Policy —
 * what to drop, what to count, what to store — stays with {@link Session}. What each message weighs in the
 * broker's {@link QueueBudget} is kept beside it and given back when it leaves. Confined to the session's actor,
 * like the session.
 */
final class SessionQueue {
  /** A message queued beyond the caps; {@code admitted} completes once the queue has room for it. */
  private record Held(CompletableFuture<Void> admitted, int size) {}

  private final ArrayDeque<StoredMessage> messages = new ArrayDeque<>();
  private final ArrayDeque<Held> held = new ArrayDeque<>();
  /** Queued QoS 2 copies (by seq) whose publish is not durable yet: delivered only after their gate. */
  private final Map<Long, CompletableFuture<Void>> gates = new HashMap<>();
  private final Runnable onGateOpen;
  private final QueueBudget budget;
  /** Each queued message's charge in the budget, in queue order (a ring beside {@link #messages}). */
  private QueueBudget.Charge[] charges = new QueueBudget.Charge[8];
  private int chargesHead;
  /** What dropping every queued message could give back at most (each one's entry and whole payload). */
  private long bound;
  private CompletableFuture<Void> hookedGate;
  private long bytes;
  private long heldBytes;
  private int maxMessages;
  private long maxBytes;

  /**
   * @param onGateOpen runs (from any thread) when a gate the head waited for opens
   * @param budget the heap every session's queue holds together
   */
  SessionQueue(Runnable onGateOpen, QueueBudget budget) {
    this.onGateOpen = onGateOpen;
    this.budget = budget;
  }

  /** What {@link #bytes()} and the byte cap count for one message: payload plus topic. */
  static int size(Message m) {
    return m.payload().size() + m.topic().length();
  }

  /** The caps: 0 = none. */
  void caps(int maxMessages, long maxBytes) {
    this.maxMessages = maxMessages;
    this.maxBytes = maxBytes;
  }

  boolean isEmpty() {
    return messages.isEmpty();
  }

  int size() {
    return messages.size();
  }

  long bytes() {
    return bytes;
  }

  StoredMessage peek() {
    return messages.peek();
  }

  boolean hasHeld() {
    return !held.isEmpty();
  }

  /** Whether a message of {@code size} bytes fits under the caps next to the admitted (not held) messages. */
  boolean fits(int size) {
    int admittedCount = messages.size() - held.size();
    if (admittedCount <= 0) {
      return true; // an empty queue takes any one message, even one larger than the byte cap
    }
    return (maxMessages <= 0 || admittedCount < maxMessages) && (maxBytes <= 0 || bytes - heldBytes + size <= maxBytes);
  }

  /**
   * Appends {@code sm}, held in the budget under {@code charge}; with {@code gate} (not yet complete) it is not
   * delivered before the gate opens; with {@code admitted} it is queued beyond the caps and {@code admitted}
   * completes once it fits.
   */
  void add(StoredMessage sm, QueueBudget.Charge charge, CompletableFuture<Void> gate,
      CompletableFuture<Void> admitted) {
    int n = messages.size();
    if (n == charges.length) {
      QueueBudget.Charge[] grown = new QueueBudget.Charge[n * 2];
      for (int i = 0; i < n; i++) {
        grown[i] = charges[(chargesHead + i) % n];
      }
      charges = grown;
      chargesHead = 0;
    }
    charges[(chargesHead + n) % charges.length] = charge;
    budget.hold(charge);
    bound += QueueBudget.OVERHEAD + charge.size;
    messages.add(sm);
    int size = size(sm.message());
    bytes += size;
    if (gate != null && !gate.isDone()) {
      gates.put(sm.seq(), gate);
    }
    if (admitted != null) {
      held.add(new Held(admitted, size));
      heldBytes += size;
    }
  }

  /** The charge of the message {@link #peek} returns; null when empty. */
  QueueBudget.Charge chargeOfHead() {
    return messages.isEmpty() ? null : charges[chargesHead];
  }

  /** At most what dropping every queued message would give back to the budget. */
  long bound() {
    return bound;
  }

  StoredMessage poll() {
    StoredMessage sm = messages.poll();
    if (sm != null) {
      QueueBudget.Charge c = charges[chargesHead];
      charges[chargesHead] = null;
      chargesHead = (chargesHead + 1) % charges.length;
      budget.release(c);
      bound -= QueueBudget.OVERHEAD + c.size;
      bytes -= size(sm.message());
      if (!gates.isEmpty()) {
        gates.remove(sm.seq());
      }
    }
    return sm;
  }

  /**
   * Whether {@code head} still waits for its QoS 2 publish to become durable; if so, {@code onGateOpen}
   * runs once it has (the queue behind it waits too, keeping the order).
   */
  boolean gated(StoredMessage head) {
    if (gates.isEmpty()) {
      return false;
    }
    CompletableFuture<Void> gate = gates.get(head.seq());
    if (gate == null) {
      return false;
    }
    if (gate.isDone()) {
      gates.remove(head.seq());
      return false;
    }
    if (gate != hookedGate) {
      hookedGate = gate;
      gate.whenComplete((v, err) -> onGateOpen.run());
    }
    return true;
  }

  /**
   * Completes held publishers, oldest first, while their messages fit under the caps — and, while every queue
   * together is over its budget, only when nothing admitted is left before them (the held messages are counted
   * already: this queue going empty is what lets its publishers on, one at a time).
   */
  void releaseHeld() {
    while (!held.isEmpty() && fits(held.peek().size()) && (messages.size() == held.size() || budget.admits(0))) {
      Held h = held.poll();
      heldBytes -= h.size();
      h.admitted().complete(null);
    }
  }

  /** Empties the queue; every held publisher is released. */
  void clear() {
    for (int i = 0; i < messages.size(); i++) {
      int at = (chargesHead + i) % charges.length;
      budget.release(charges[at]);
      charges[at] = null;
    }
    chargesHead = 0;
    bound = 0;
    messages.clear();
    gates.clear();
    bytes = 0;
    for (Held h; (h = held.poll()) != null; ) {
      h.admitted().complete(null);
    }
    heldBytes = 0;
  }
}
