package io.estuary.cf;

import io.estuary.api.AdapterConfig;
import io.estuary.api.limits.Rate;

/**
 * The overload limits of one UDP or DTLS listener of the CoAP and LwM2M gateways (EMQX's listener option names where
 * they exist), read from the listener's block; a key the block lacks keeps {@link #DEFAULTS}.
 *
 * @param maxConnections devices (CoAP) or registrations (LwM2M) the listener keeps at once; more get 5.03
 * @param maxConnRate new devices or registrations per second on the listener; over it 5.03
 * @param sourceRate datagrams per source IP address; over it the datagram is dropped unanswered
 * @param maxSources source addresses tracked for {@code sourceRate} (one not seen lately evicted first: SourceTable's CLOCK)
 * @param messagesRate publishes per client (CoAP); over it 5.03
 * @param bytesRate publish payload bytes per client (CoAP); over it 5.03
 * @param maxDatagramRate datagrams the whole listener hands to Californium, whatever their source; over it dropped
 *     unanswered ({@link DatagramBudget})
 */
public record ListenerLimits(int maxConnections, Rate maxConnRate, Rate sourceRate, int maxSources, Rate messagesRate,
    Rate bytesRate, Rate maxDatagramRate) {

  /** The defaults of reference.conf: they protect a default install (about 1 GiB of heap). */
  public static final ListenerLimits DEFAULTS = new ListenerLimits(10_000, Rate.parse("1000/s"), Rate.parse("500/s"),
      10_000, Rate.INFINITY, Rate.INFINITY, Rate.parse("2000/s"));

  public ListenerLimits {
    if (maxConnections < 1) {
      throw new IllegalArgumentException("max_connections must be positive, was " + maxConnections);
    }
    if (maxSources < 1) {
      throw new IllegalArgumentException("max_sources must be positive, was " + maxSources);
    }
    if (maxConnRate == null || sourceRate == null || messagesRate == null || bytesRate == null
        || maxDatagramRate == null) {
      throw new IllegalArgumentException("rates must be set");
    }
  }

  /** Reads the limits of one listener block; errors name the key. */
  public static ListenerLimits from(AdapterConfig l) {
    ListenerLimits d = DEFAULTS;
    return new ListenerLimits(
        l.has("max_connections") ? positive(l, "max_connections") : d.maxConnections,
        rate(l, "max_conn_rate", d.maxConnRate),
        rate(l, "source_datagram_rate", d.sourceRate),
        l.has("max_sources") ? positive(l, "max_sources") : d.maxSources,
        rate(l, "messages_rate", d.messagesRate),
        rate(l, "bytes_rate", d.bytesRate),
        rate(l, "max_datagram_rate", d.maxDatagramRate));
  }

  private static int positive(AdapterConfig l, String key) {
    int v = l.getInt(key);
    if (v < 1) {
      throw l.invalid(key, "a positive number");
    }
    return v;
  }

  private static Rate rate(AdapterConfig l, String key, Rate dflt) {
    if (!l.has(key)) {
      return dflt;
    }
    try {
      return Rate.parse(l.getString(key));
    } catch (IllegalArgumentException e) {
      throw l.invalid(key, "a rate such as \"1000/s\", \"1MB/10s\" or infinity");
    }
  }
}
