package io.estuary.mqttsn;

import io.estuary.api.AdapterConfig;
import io.estuary.api.limits.Rate;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The overload limits of the MQTT-SN gateway (issue #13; docs/mqttsn.md, "Limits"): per client, per
 * forwarder and, in {@link ListenerLimits}, per listener and per source address. Defaults live in this
 * module's {@code reference.conf} and are repeated in {@link #defaults()}. Immutable.
 *
 * @param maxTopicIds normal topic ids one client may hold ({@code max_topic_ids})
 * @param maxTopicLength the longest topic name in bytes (UTF-8) a client may REGISTER, SUBSCRIBE to or will
 * @param messagesRate PUBLISHes one client may send ({@code messages_rate}, EMQX syntax); over it dropped
 * @param bytesRate PUBLISH bytes one client may send ({@code bytes_rate}); over it dropped
 * @param minKeepalive the keepalive a plain-UDP client that asks for none (0) gets; 0 = none
 * @param maxUnansweredBytes QoS 0 bytes sent to a client since it was last heard; beyond, QoS 0 is dropped
 * @param maxMqueueLen QoS 0 deliveries the gateway holds for one client (behind a SUBACK, a REGACK, the
 *     inflight window or its sleep); beyond, QoS 0 is dropped (QoS 1/2 are bounded by {@code max_inflight})
 * @param maxForwarderNodes clients one forwarder may encapsulate (§5.5)
 * @param forwardersAllow the forwarder addresses whose encapsulated messages are accepted; empty = any
 * @param listeners per-listener limits by {@code udp:<name>} / {@code dtls:<name>}
 */
public record MqttSnLimits(
    int maxTopicIds,
    int maxTopicLength,
    Rate messagesRate,
    Rate bytesRate,
    Duration minKeepalive,
    long maxUnansweredBytes,
    int maxMqueueLen,
    int maxForwarderNodes,
    Set<InetAddress> forwardersAllow,
    Map<String, ListenerLimits> listeners) {

  /**
   * One listener's limits.
   *
   * @param maxConnections clients (channels, connecting or connected) on the listener
   * @param maxConnRate CONNECTs per period the listener accepts
   * @param maxSources source addresses tracked for the per-source rates (one not seen lately evicted: SourceTable's CLOCK)
   * @param sourceConnRate CONNECTs one source IP address may send
   * @param sourceDatagramRate datagrams one source IP address may send (over it: dropped unread)
   * @param maxHalfOpen plain UDP: clients connected from a new address that have not sent a second
   *     datagram yet (half-open, like a SYN backlog); a CONNECT beyond gets CONNACK congestion
   * @param halfOpenTimeout plain UDP: how long a half-open client has to send its second datagram before
   *     its channel is closed and the session it created discarded; zero = off (every CONNECT is trusted)
   * @param recbuf plain UDP: the socket receive buffer asked for (SO_RCVBUF, EMQX's {@code recbuf}; the
   *     kernel caps it at net.core.rmem_max); 0 = the system's default
   * @param unknownAnswerRate answers the listener sends to sources without a channel (refusal CONNACKs,
   *     GWINFO to SEARCHGW), each a sendto a forged address can cost us; over it not answered
   * @param connectedSockets plain UDP: clients whose datagrams get their own connected socket on the listener's
   *     port (SO_REUSEPORT), so that a flood filling the listener socket's queue does not drop theirs; beyond,
   *     clients stay on the listener socket; 0 = off (one socket, as before)
   * @param discardUnprovenSessions plain UDP with half-open tracking on: a {@code clean_session = false} session
   *     that a CONNECT created and whose client never echoed a value the gateway chose (a topic id, a message
   *     id) is discarded, not kept offline, when its connection ends without DISCONNECT (keepalive, retries,
   *     missed wake-up)
   * @param unknownDatagramRate plain UDP: datagrams from addresses without a channel that the listener socket
   *     reads per period; beyond it the listener stops reading its socket until a batch's worth of budget is back
   *     (the kernel drops the excess for free), so a flood costs the gateway's CPU at most this rate
   * @param maxUnproven plain UDP with {@code discard_unproven_sessions}: clients past the half-open stage (connected
   *     or asleep) that have not yet proved their address by echoing a value of the gateway's; a promotion beyond
   *     closes the oldest of them (DISCONNECT, its new session discarded), so that blind spoofers, who can promote
   *     a session but never prove it, hold at most this many channels and never lock proven and new clients out
   *     ({@code auto}: half of {@code max_connections})
   */
  public record ListenerLimits(int maxConnections, Rate maxConnRate, int maxSources, Rate sourceConnRate,
      Rate sourceDatagramRate, int maxHalfOpen, Duration halfOpenTimeout, long recbuf, Rate unknownAnswerRate,
      int connectedSockets, boolean discardUnprovenSessions, Rate unknownDatagramRate, int maxUnproven) {
    public static final ListenerLimits DEFAULTS =
        new ListenerLimits(100_000, Rate.parse("1000/s"), 100_000, Rate.parse("100/s"), Rate.parse("1000/s"),
            1000, Duration.ofSeconds(10), 4L * 1024 * 1024, Rate.parse("1000/s"), autoConnectedSockets(), true,
            Rate.parse("5000/s"), 50_000);

    /**
     * {@code connected_sockets = auto}: 1,000 on Linux 6.13 and later, which find a connected UDP socket by a 4-tuple
     * hash; 0 on older kernels and other systems, where every connected socket on a port makes the lookup of EVERY
     * datagram to that port (established clients' too) a walk over all of them.
     */
    static int autoConnectedSockets() {
      return hashesConnectedUdp(System.getProperty("os.name", ""), System.getProperty("os.version", "")) ? 1000 : 0;
    }

    static boolean hashesConnectedUdp(String osName, String osVersion) {
      if (!osName.toLowerCase(java.util.Locale.ROOT).contains("linux")) {
        return false;
      }
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(\\d+)\\.(\\d+)").matcher(osVersion);
      if (!m.find()) {
        return false;
      }
      int major = Integer.parseInt(m.group(1));
      int minor = Integer.parseInt(m.group(2));
      return major > 6 || major == 6 && minor >= 13;
    }

    public ListenerLimits {
      atLeast(maxConnections, 1, "max_connections");
      atLeast(maxSources, 1, "max_sources");
      atLeast(maxHalfOpen, 1, "max_half_open");
      if (halfOpenTimeout.isNegative()) {
        throw new IllegalArgumentException("half_open_timeout must not be negative, was " + halfOpenTimeout);
      }
      if (recbuf < 0 || recbuf > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("recbuf must be 0..2GB, was " + recbuf);
      }
      atLeast(connectedSockets, 0, "connected_sockets");
      atLeast(maxUnproven, 1, "max_unproven");
    }

    /** These limits with {@code max_unproven} set (tests). */
    public ListenerLimits withMaxUnproven(int max) {
      return new ListenerLimits(maxConnections, maxConnRate, maxSources, sourceConnRate, sourceDatagramRate,
          maxHalfOpen, halfOpenTimeout, recbuf, unknownAnswerRate, connectedSockets, discardUnprovenSessions,
          unknownDatagramRate, max);
    }

    /** Whether CONNECTs from new addresses are half-open until the client's second datagram. */
    public boolean halfOpen() {
      return !halfOpenTimeout.isZero();
    }

    static ListenerLimits from(AdapterConfig l) {
      ListenerLimits d = DEFAULTS;
      int maxConnections = l.has("max_connections") ? count(l, "max_connections") : d.maxConnections();
      return new ListenerLimits(
          maxConnections,
          l.has("max_conn_rate") ? rate(l, "max_conn_rate") : d.maxConnRate(),
          l.has("max_sources") ? count(l, "max_sources") : d.maxSources(),
          l.has("source_conn_rate") ? rate(l, "source_conn_rate") : d.sourceConnRate(),
          l.has("source_datagram_rate") ? rate(l, "source_datagram_rate") : d.sourceDatagramRate(),
          l.has("max_half_open") ? count(l, "max_half_open") : d.maxHalfOpen(),
          l.has("half_open_timeout") ? l.getDuration("half_open_timeout") : d.halfOpenTimeout(),
          l.has("recbuf") ? l.getBytes("recbuf") : d.recbuf(),
          l.has("unknown_answer_rate") ? rate(l, "unknown_answer_rate") : d.unknownAnswerRate(),
          !l.has("connected_sockets") || l.getString("connected_sockets").trim().equalsIgnoreCase("auto")
              ? d.connectedSockets() : count(l, "connected_sockets"),
          l.has("discard_unproven_sessions") ? l.getBoolean("discard_unproven_sessions") : d.discardUnprovenSessions(),
          l.has("unknown_datagram_rate") ? rate(l, "unknown_datagram_rate") : d.unknownDatagramRate(),
          !l.has("max_unproven") || l.getString("max_unproven").trim().equalsIgnoreCase("auto")
              ? Math.max(1, maxConnections / 2) : count(l, "max_unproven"));
    }
  }

  public MqttSnLimits {
    atLeast(maxTopicIds, 1, "max_topic_ids");
    if (maxTopicIds > 0xFFFE) {
      throw new IllegalArgumentException("max_topic_ids must be 1..65534, was " + maxTopicIds);
    }
    atLeast(maxTopicLength, 1, "max_topic_length");
    if (minKeepalive.isNegative()) {
      throw new IllegalArgumentException("min_keepalive must not be negative, was " + minKeepalive);
    }
    if (maxUnansweredBytes < 1) {
      throw new IllegalArgumentException("max_unanswered_bytes must be positive, was " + maxUnansweredBytes);
    }
    atLeast(maxMqueueLen, 0, "max_mqueue_len");
    atLeast(maxForwarderNodes, 0, "max_forwarder_nodes");
    forwardersAllow = Set.copyOf(forwardersAllow);
    listeners = Map.copyOf(listeners);
  }

  /** The defaults of reference.conf. */
  public static MqttSnLimits defaults() {
    return new MqttSnLimits(1000, 1024, Rate.INFINITY, Rate.INFINITY, Duration.ofSeconds(60), 1024 * 1024, 1000,
        1000, Set.of(), Map.of());
  }

  /** The limits of listener {@code name} ({@code udp:<name>} or {@code dtls:<name>}). */
  public ListenerLimits listener(String name) {
    return listeners.getOrDefault(name, ListenerLimits.DEFAULTS);
  }

  /** Whether encapsulated messages from {@code forwarder} are accepted ({@code forwarders.allow}). */
  public boolean forwarderAllowed(InetAddress forwarder) {
    return forwardersAllow.isEmpty() || forwardersAllow.contains(forwarder);
  }

  public MqttSnLimits withListener(String name, ListenerLimits l) {
    Map<String, ListenerLimits> m = new HashMap<>(listeners);
    m.put(name, l);
    return new MqttSnLimits(maxTopicIds, maxTopicLength, messagesRate, bytesRate, minKeepalive, maxUnansweredBytes,
        maxMqueueLen, maxForwarderNodes, forwardersAllow, m);
  }

  /** Binds the limit keys of the {@code gateway.mqttsn} block and of its listeners. */
  static MqttSnLimits from(AdapterConfig c) {
    MqttSnLimits d = defaults();
    Map<String, ListenerLimits> listeners = new HashMap<>();
    for (String type : List.of("udp", "dtls")) {
      if (c.has("listeners." + type)) {
        AdapterConfig ls = c.getConfig("listeners." + type);
        for (String name : ls.keys()) {
          listeners.put(type + ":" + name, ListenerLimits.from(ls.getConfig(name)));
        }
      }
    }
    Set<InetAddress> allow = new java.util.HashSet<>();
    if (c.has("forwarders.allow")) {
      for (String a : c.getStringList("forwarders.allow")) {
        try {
          allow.add(InetAddress.getByName(a.trim()));
        } catch (UnknownHostException | SecurityException e) {
          throw c.invalid("forwarders.allow", "a list of forwarder IP addresses, e.g. [\"10.0.0.7\"]");
        }
      }
    }
    return new MqttSnLimits(
        c.has("max_topic_ids") ? count(c, "max_topic_ids") : d.maxTopicIds(),
        c.has("max_topic_length") ? count(c, "max_topic_length") : d.maxTopicLength(),
        c.has("messages_rate") ? rate(c, "messages_rate") : d.messagesRate(),
        c.has("bytes_rate") ? rate(c, "bytes_rate") : d.bytesRate(),
        c.has("min_keepalive") ? c.getDuration("min_keepalive") : d.minKeepalive(),
        c.has("max_unanswered_bytes") ? c.getBytes("max_unanswered_bytes") : d.maxUnansweredBytes(),
        c.has("max_mqueue_len") ? count(c, "max_mqueue_len") : d.maxMqueueLen(),
        c.has("max_forwarder_nodes") ? count(c, "max_forwarder_nodes") : d.maxForwarderNodes(),
        allow, listeners);
  }

  private static Rate rate(AdapterConfig c, String key) {
    try {
      return Rate.parse(c.getString(key));
    } catch (IllegalArgumentException e) {
      throw c.invalid(key, "a rate such as \"1000/s\", \"1MB/10s\" or infinity");
    }
  }

  /** An int count, where {@code infinity} means Integer.MAX_VALUE (as in EMQX's max_connections). */
  private static int count(AdapterConfig c, String key) {
    String v = c.getString(key).trim();
    if (v.equalsIgnoreCase("infinity")) {
      return Integer.MAX_VALUE;
    }
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw c.invalid(key, "a whole number or infinity");
    }
  }

  private static void atLeast(int v, int min, String key) {
    if (v < min) {
      throw new IllegalArgumentException(key + " must be at least " + min + ", was " + v);
    }
  }
}
