package io.estuary.bench.mqtt;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Who publishes to whom. Topics live under a per-run prefix so that two runs, or other clients of the
 * broker, never see each other's messages.
 */
public enum Topology {
  /** N publishers, each on its own topic, into 1 subscriber on a single-level wildcard. */
  FAN_IN("fan-in"),
  /** 1 publisher on one topic, M subscribers on that topic. */
  FAN_OUT("fan-out"),
  /** Publisher i to subscriber i, one topic per pair. */
  PAIRS("pairs");

  private final String label;

  Topology(String label) {
    this.label = label;
  }

  /** The command-line spelling: {@code fan-in}, {@code fan-out}, {@code pairs}. */
  public String label() {
    return label;
  }

  /** Parses a label as printed by {@link #label()}. */
  public static Topology fromLabel(String label) {
    for (Topology t : values()) {
      if (t.label.equalsIgnoreCase(label)) {
        return t;
      }
    }
    throw new IllegalArgumentException(
        "unknown topology '" + label + "', expected one of fan-in, fan-out, pairs");
  }

  /** Checks that the client counts fit this topology; returns an error text or null. */
  String checkCounts(int publishers, int subscribers) {
    return switch (this) {
      case FAN_IN -> subscribers == 1 ? null : "fan-in has exactly 1 subscriber (got " + subscribers + ")";
      case FAN_OUT -> publishers == 1 ? null : "fan-out has exactly 1 publisher (got " + publishers + ")";
      case PAIRS -> publishers == subscribers
          ? null
          : "pairs needs as many subscribers as publishers (got " + publishers + " and " + subscribers + ")";
    };
  }

  /** The topic publisher {@code i} publishes to. */
  public String publishTopic(String prefix, int publisher) {
    return switch (this) {
      case FAN_IN -> prefix + "/fan-in/" + publisher;
      case FAN_OUT -> prefix + "/fan-out";
      case PAIRS -> prefix + "/pairs/" + publisher;
    };
  }

  /** The topic filter subscriber {@code j} subscribes to. */
  public String subscribeFilter(String prefix, int subscriber) {
    return switch (this) {
      case FAN_IN -> prefix + "/fan-in/+";
      case FAN_OUT -> prefix + "/fan-out";
      case PAIRS -> prefix + "/pairs/" + subscriber;
    };
  }

  /** For each subscriber, the publishers whose every message it should receive. */
  public List<int[]> sources(int publishers, int subscribers) {
    List<int[]> out = new ArrayList<>(subscribers);
    for (int j = 0; j < subscribers; j++) {
      out.add(switch (this) {
        case FAN_IN -> IntStream.range(0, publishers).toArray();
        case FAN_OUT -> new int[] {0};
        case PAIRS -> new int[] {j};
      });
    }
    return out;
  }

  /** How many subscribers each message reaches. */
  public int deliveriesPerMessage(int subscribers) {
    return this == FAN_OUT ? subscribers : 1;
  }

  @Override
  public String toString() {
    return label;
  }
}
