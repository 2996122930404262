package io.estuary.cf;

import org.eclipse.californium.core.config.CoapConfig;

/**
 * Californium's duplicate-detection store (RFC 7252 §4.5). It keeps every exchange for
 * {@code exchange_lifetime} so a retransmitted CON gets the same answer; its heap is what grows at high
 * request rates, so the choice is config.
 */
public enum Deduplicator {
  /**
   * Estuary's {@link CappedDeduplicator}: kept exchange_lifetime, at most {@code max_dedup_entries} per endpoint, the
   * oldest evicted when full ({@link DedupCap}). Endpoints built without a {@link DedupCap} (test clients) get
   * Californium's peers_mark_and_sweep.
   */
  CAPPED(CoapConfig.DEDUPLICATOR_PEERS_MARK_AND_SWEEP),
  /** One global map swept every {@code mark_and_sweep_interval}: heap ≈ request rate × exchange_lifetime. */
  MARK_AND_SWEEP(CoapConfig.DEDUPLICATOR_MARK_AND_SWEEP),
  /** At most {@code peer_messages} remembered per peer; peers are not bounded (Californium 3.14 ignores max_active_peers here). */
  PEERS_MARK_AND_SWEEP(CoapConfig.DEDUPLICATOR_PEERS_MARK_AND_SWEEP),
  /** No duplicate detection: retransmitted CON publishes are published again. */
  NONE(CoapConfig.NO_DEDUPLICATOR);

  private final String californiumName;

  Deduplicator(String californiumName) {
    this.californiumName = californiumName;
  }

  String californiumName() {
    return californiumName;
  }

  /** Parses the config spelling ({@code peers_mark_and_sweep}, case-insensitive), or null if unknown. */
  public static Deduplicator parse(String s) {
    for (Deduplicator d : values()) {
      if (d.name().equalsIgnoreCase(s.trim().replace('-', '_'))) {
        return d;
      }
    }
    return null;
  }
}
