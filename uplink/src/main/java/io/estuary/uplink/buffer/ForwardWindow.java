package io.estuary.uplink.buffer;

import io.estuary.api.DeliveryId;
import io.estuary.api.Message;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Deliveries taken from the broker session and not yet acknowledged by the upstream broker (QoS 1/2)
 * or written to it (QoS 0), in delivery order. Each send belongs to a connection epoch. Sending
 * follows three rules that keep the upstream order of QoS 1/2 messages across outages:
 * <ol>
 *   <li>nothing is sent while the link is down or after a send of the current epoch failed (the
 *       connection is breaking; the next epoch resends);
 *   <li>after a reconnect, nothing new is sent until every send of an older epoch has resolved (the
 *       MQTT client resends those itself when the upstream session was resumed, or fails them when it
 *       was lost);
 *   <li>then every entry not sent (new, or failed in an older epoch) goes out in delivery order.
 * </ol>
 * Confined to one thread (the uplink's executor).
 */
public final class ForwardWindow {

  /** One delivery in flight. */
  public static final class Entry {
    private final long seq;
    private final DeliveryId id;
    private final int localQos;
    private final Message remote;
    private boolean sent;
    private int epoch;

    Entry(long seq, DeliveryId id, int localQos, Message remote) {
      this.seq = seq;
      this.id = id;
      this.localQos = localQos;
      this.remote = remote;
    }

    public long seq() {
      return seq;
    }

    /** The broker session's delivery id, acknowledged when this entry is done. */
    public DeliveryId id() {
      return id;
    }

    /** QoS of the local delivery: 0 needs no acknowledgement to the broker session. */
    public int localQos() {
      return localQos;
    }

    /** The message to publish upstream. */
    public Message remote() {
      return remote;
    }

    public int epoch() {
      return epoch;
    }
  }

  private final int capacity;
  private final LinkedHashMap<Long, Entry> entries = new LinkedHashMap<>();
  private long nextSeq = 1;
  private int epoch;
  private boolean up;
  private boolean broken;
  // counters so that the per-ack pump needs no full scans
  private int unsent;
  private int sentTotal;
  private int sentThisEpoch;

  public ForwardWindow(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be >= 1, was " + capacity);
    }
    this.capacity = capacity;
  }

  public Entry add(DeliveryId id, int localQos, Message remote) {
    Entry e = new Entry(nextSeq++, id, localQos, remote);
    entries.put(e.seq, e);
    unsent++;
    return e;
  }

  /** The link is up: a new epoch starts. */
  public void up() {
    epoch++;
    sentThisEpoch = 0; // everything sent so far now belongs to an older epoch
    up = true;
    broken = false;
  }

  public void down() {
    up = false;
  }

  public boolean isUp() {
    return up;
  }

  public int epoch() {
    return epoch;
  }

  public int size() {
    return entries.size();
  }

  /** How many more deliveries the window takes now; zero while down or blocked. */
  public int room() {
    return up && !broken ? Math.max(0, capacity - entries.size()) : 0;
  }

  /** Marks up to {@code budget} entries as sent in the current epoch and returns them, in order. */
  public List<Entry> takeSendable(int budget) {
    if (!up || broken || budget <= 0 || unsent == 0) {
      return List.of();
    }
    if (sentTotal > sentThisEpoch) {
      return List.of(); // rule 2: an older epoch is unresolved
    }
    int n = Math.min(budget, unsent);
    List<Entry> out = new ArrayList<>(n);
    for (Iterator<Entry> it = entries.values().iterator(); it.hasNext() && out.size() < n; ) {
      Entry e = it.next();
      if (!e.sent) {
        e.sent = true;
        e.epoch = epoch;
        out.add(e);
      }
    }
    unsent -= out.size();
    sentTotal += out.size();
    sentThisEpoch += out.size();
    return out;
  }

  /** Whether entries wait to be sent. */
  public boolean hasUnsent() {
    return unsent > 0;
  }

  /** The upstream broker acknowledged (or finally refused) the send: the entry leaves the window. */
  public Entry done(long seq) {
    Entry e = entries.remove(seq);
    if (e != null) {
      forget(e);
    }
    return e;
  }

  private void forget(Entry e) {
    if (!e.sent) {
      unsent--;
    } else {
      sentTotal--;
      if (e.epoch == epoch) {
        sentThisEpoch--;
      }
    }
  }

  /** The send of {@code seq} in {@code sendEpoch} failed on the transport: it will go out again. */
  public void failed(long seq, int sendEpoch) {
    Entry e = entries.get(seq);
    if (e != null && e.sent && e.epoch == sendEpoch) {
      forget(e);
      e.sent = false;
      unsent++;
      if (sendEpoch == epoch) {
        broken = true; // rule 1: resending now could overtake later sends still queued in the client
      }
    }
  }

  /** Forgets everything (the local session was reopened: the broker redelivers what was unacknowledged). */
  public void clear() {
    entries.clear();
    unsent = 0;
    sentTotal = 0;
    sentThisEpoch = 0;
  }

  /** Creation time of the oldest entry, or 0 when empty (for the lag gauge). */
  public long oldestCreatedAt() {
    for (Entry e : entries.values()) {
      return e.remote.createdAtMillis();
    }
    return 0;
  }
}
