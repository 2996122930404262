package io.estuary.bench.mqtt;

import java.time.Duration;
import java.util.Objects;

/**
 * One load run.
 *
 * @param host broker host; only loopback or a host of your own test network
 * @param port broker MQTT/TCP port
 * @param publishers publishing clients (fan-out: exactly 1)
 * @param subscribers subscribing clients (fan-in: exactly 1; pairs: as many as publishers)
 * @param qos 0 or 1, for both PUBLISH and SUBSCRIBE
 * @param payloadSize bytes per payload, at least {@link #MIN_PAYLOAD} (the stamp)
 * @param duration the measured window
 * @param warmup publishing before the window opens, not measured
 * @param topology who publishes to whom
 * @param rate total publish rate over all publishers in msgs/s, 0 = as fast as the broker takes them
 * @param inflight QoS 1 PUBLISHes a publisher may have unacknowledged
 * @param window messages a publisher may be ahead of its slowest subscriber, 0 = no limit
 * @param threads Netty event loop threads shared by all clients
 * @param drain the longest wait after the window for messages still on their way
 * @param subscriberAckRate QoS 1 PUBACKs each subscriber sends per second at most (a slow consumer: the broker's
 *     inflight window to it fills and its queue grows); 0 = each PUBLISH is acknowledged as it arrives
 */
public record LoadConfig(
    String host,
    int port,
    int publishers,
    int subscribers,
    int qos,
    int payloadSize,
    Duration duration,
    Duration warmup,
    Topology topology,
    long rate,
    int inflight,
    int window,
    int threads,
    Duration drain,
    long subscriberAckRate) {

  /** Send time (8), publisher index (4), sequence number (8). */
  public static final int MIN_PAYLOAD = 20;

  /** MQTT 3.1.1 §2.3.1: packet identifiers are 1..65535. */
  private static final int MAX_INFLIGHT = 65_535;

  public LoadConfig {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(duration, "duration");
    Objects.requireNonNull(warmup, "warmup");
    Objects.requireNonNull(topology, "topology");
    Objects.requireNonNull(drain, "drain");
    require(!host.isBlank(), "host must not be blank");
    require(port > 0 && port < 65_536, "port must be 1..65535, got " + port);
    require(publishers >= 1, "publishers must be >= 1, got " + publishers);
    require(subscribers >= 1, "subscribers must be >= 1, got " + subscribers);
    String counts = topology.checkCounts(publishers, subscribers);
    require(counts == null, counts);
    require(qos == 0 || qos == 1, "qos must be 0 or 1, got " + qos);
    require(payloadSize >= MIN_PAYLOAD, "size must be >= " + MIN_PAYLOAD + " bytes (the stamp), got " + payloadSize);
    require(payloadSize <= 256 * 1024 * 1024, "size must be <= 256 MiB (MQTT 3.1.1 §2.2.3), got " + payloadSize);
    require(duration.toMillis() > 0, "duration must be > 0, got " + duration);
    require(!warmup.isNegative(), "warmup must be >= 0, got " + warmup);
    require(!drain.isNegative(), "drain must be >= 0, got " + drain);
    require(rate >= 0, "rate must be >= 0 (0 = as fast as possible), got " + rate);
    require(inflight >= 1 && inflight <= MAX_INFLIGHT, "inflight must be 1..65535, got " + inflight);
    require(window >= 0, "window must be >= 0 (0 = no limit), got " + window);
    require(threads >= 1, "threads must be >= 1, got " + threads);
    require(subscriberAckRate >= 0, "sub-ack-rate must be >= 0 (0 = acknowledge at once), got " + subscriberAckRate);
  }

  /** A run whose subscribers acknowledge every PUBLISH as it arrives. */
  public LoadConfig(String host, int port, int publishers, int subscribers, int qos, int payloadSize, Duration duration,
      Duration warmup, Topology topology, long rate, int inflight, int window, int threads, Duration drain) {
    this(host, port, publishers, subscribers, qos, payloadSize, duration, warmup, topology, rate, inflight, window,
        threads, drain, 0);
  }

  /** Each publisher's share of {@link #rate}, in msgs/s; 0 when unlimited. */
  public double ratePerPublisher() {
    return rate == 0 ? 0 : (double) rate / publishers;
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
