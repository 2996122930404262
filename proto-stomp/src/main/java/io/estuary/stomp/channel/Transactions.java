package io.estuary.stomp.channel;

import io.estuary.stomp.codec.StompFrame;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A connection's open transactions (STOMP 1.2 §BEGIN): the SEND, ACK and NACK frames of each, held until
 * COMMIT replays them or ABORT (or the connection's end) forgets them. Bounded: {@code max_transactions}
 * open at once, {@code max_transaction_frames} frames each. Owned by the channel's thread.
 */
final class Transactions {
  private final int maxOpen;
  private final int maxFrames;
  private final Map<String, List<StompFrame>> open = new HashMap<>();

  Transactions(int maxOpen, int maxFrames) {
    this.maxOpen = maxOpen;
    this.maxFrames = maxFrames;
  }

  /** Null if begun, else the ERROR message. */
  String begin(String id) {
    if (open.containsKey(id)) {
      return "transaction " + id + " is already open";
    }
    if (open.size() >= maxOpen) {
      return "more than " + maxOpen + " open transactions";
    }
    open.put(id, new ArrayList<>());
    return null;
  }

  /** Null if held for the transaction, else the ERROR message. */
  String add(String id, StompFrame f) {
    List<StompFrame> frames = open.get(id);
    if (frames == null) {
      return "no open transaction " + id;
    }
    if (frames.size() >= maxFrames) {
      return "more than " + maxFrames + " frames in transaction " + id;
    }
    frames.add(f);
    return null;
  }

  /** The frames of a transaction being committed or aborted, or null if it is not open. */
  List<StompFrame> end(String id) {
    return open.remove(id);
  }

  void clear() {
    open.clear();
  }
}
