package io.estuary.cf;

import io.estuary.api.AdapterConfig;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.SystemConfig;
import org.eclipse.californium.elements.config.TcpConfig;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.scandium.config.DtlsConfig;

/**
 * The Californium knobs Estuary exposes, read from an adapter's {@code californium} sub-block (every
 * key optional, defaults below), turned into an explicit {@link Configuration} by
 * {@link #toConfiguration()}.
 *
 * <p>Heap bound of the deduplicator (RFC 7252 §4.5 keeps each exchange for EXCHANGE_LIFETIME, 247 s by
 * default): with {@link Deduplicator#CAPPED} (the default) at most {@code maxDedupEntries} per endpoint, the oldest
 * evicted first ({@link DedupCap}); with {@link Deduplicator#PEERS_MARK_AND_SWEEP} it holds at most
 * {@code peerMessages} exchanges per peer, but Californium 3.14 does not bound the number of peers (its per-peer
 * map ignores MAX_ACTIVE_PEERS): a flood from fresh address:port pairs grows it with the admitted datagram rate
 * (a listener's max_datagram_rate) × {@code exchangeLifetime}; the other choices grow with rate ×
 * {@code exchangeLifetime} too.
 *
 * @param protocolThreads Californium protocol-stage threads (request handling, matching)
 * @param udpReceiverThreads threads reading the UDP socket
 * @param udpSenderThreads threads writing the UDP socket
 * @param dtlsThreads Scandium connector threads (handshakes, record crypto)
 * @param deduplicator duplicate-detection store
 * @param exchangeLifetime how long a CON exchange is remembered for duplicate detection
 * @param peerMessages exchanges remembered per peer with {@link Deduplicator#PEERS_MARK_AND_SWEEP}
 * @param sweepInterval how often expired exchanges are swept
 * @param maxActivePeers peers tracked at once (bounds dedup state and the DTLS connection store)
 * @param maxPeerInactivity a peer silent this long is forgotten
 * @param ackTimeout initial CON retransmission timeout (RFC 7252 ACK_TIMEOUT)
 * @param maxRetransmit CON retransmissions before giving up (RFC 7252 MAX_RETRANSMIT)
 * @param preferredBlockSize block size for Block1/Block2 (16..1024, power of two)
 * @param maxMessageSize largest single message before block-wise transfer is used
 * @param maxBodySize largest reassembled body; bigger Block1 transfers get 4.13
 * @param maxBacklog protocol-stage tasks waiting (received datagrams, exchange steps) past which the listeners drop
 *     datagrams before Californium allocates anything ({@link BacklogExecutor}, {@link DatagramBudget})
 * @param maxDedupEntries requests remembered per endpoint with {@link Deduplicator#CAPPED}
 */
public record CfSettings(
    int protocolThreads,
    int udpReceiverThreads,
    int udpSenderThreads,
    int dtlsThreads,
    Deduplicator deduplicator,
    Duration exchangeLifetime,
    int peerMessages,
    Duration sweepInterval,
    int maxActivePeers,
    Duration maxPeerInactivity,
    Duration ackTimeout,
    int maxRetransmit,
    int preferredBlockSize,
    int maxMessageSize,
    int maxBodySize,
    int maxBacklog,
    int maxDedupEntries) {

  /** RFC 7252 §4.8.2 NON_LIFETIME. */
  private static final Duration NON_LIFETIME = Duration.ofSeconds(145);

  public static final CfSettings DEFAULTS = new CfSettings(2, 1, 1, 2, Deduplicator.CAPPED,
      Duration.ofSeconds(247), 64, Duration.ofSeconds(10), 10_000, Duration.ofMinutes(10), Duration.ofSeconds(2),
      4, 1024, 1152, 64 * 1024, 10_000, 2_000);

  public CfSettings {
    positive("protocol_threads", protocolThreads);
    positive("udp_receiver_threads", udpReceiverThreads);
    positive("udp_sender_threads", udpSenderThreads);
    positive("dtls_threads", dtlsThreads);
    positive("peer_messages", peerMessages);
    positive("max_active_peers", maxActivePeers);
    positive("max_retransmit", maxRetransmit);
    if (deduplicator == null) {
      throw new IllegalArgumentException("deduplicator must be set");
    }
    positive("exchange_lifetime", exchangeLifetime);
    positive("sweep_interval", sweepInterval);
    positive("max_peer_inactivity", maxPeerInactivity);
    positive("ack_timeout", ackTimeout);
    if (Integer.bitCount(preferredBlockSize) != 1 || preferredBlockSize < 16 || preferredBlockSize > 1024) {
      throw new IllegalArgumentException("preferred_block_size must be a power of two in 16..1024, was " + preferredBlockSize);
    }
    if (maxMessageSize < 64) {
      throw new IllegalArgumentException("max_message_size must be at least 64, was " + maxMessageSize);
    }
    positive("max_body_size", maxBodySize);
    positive("max_backlog", maxBacklog);
    positive("max_dedup_entries", maxDedupEntries);
  }

  /**
   * Reads {@code block} (an adapter's {@code californium} sub-block; keys absent there keep
   * {@link #DEFAULTS}) with {@code maxBodySize} from the adapter's own limit.
   */
  public static CfSettings from(AdapterConfig block, int maxBodySize) {
    CfSettings d = DEFAULTS;
    String dedupText = block.has("deduplicator") ? block.getString("deduplicator") : d.deduplicator.name();
    Deduplicator dedup = Deduplicator.parse(dedupText);
    if (dedup == null) {
      throw block.invalid("deduplicator", "one of capped, mark_and_sweep, peers_mark_and_sweep, none");
    }
    try {
      return new CfSettings(
          intOr(block, "protocol_threads", d.protocolThreads),
          intOr(block, "udp_receiver_threads", d.udpReceiverThreads),
          intOr(block, "udp_sender_threads", d.udpSenderThreads),
          intOr(block, "dtls_threads", d.dtlsThreads),
          dedup,
          durationOr(block, "exchange_lifetime", d.exchangeLifetime),
          intOr(block, "peer_messages", d.peerMessages),
          durationOr(block, "sweep_interval", d.sweepInterval),
          intOr(block, "max_active_peers", d.maxActivePeers),
          durationOr(block, "max_peer_inactivity", d.maxPeerInactivity),
          durationOr(block, "ack_timeout", d.ackTimeout),
          intOr(block, "max_retransmit", d.maxRetransmit),
          block.has("preferred_block_size") ? (int) block.getBytes("preferred_block_size") : d.preferredBlockSize,
          block.has("max_message_size") ? (int) block.getBytes("max_message_size") : d.maxMessageSize,
          maxBodySize,
          intOr(block, "max_backlog", d.maxBacklog),
          intOr(block, "max_dedup_entries", d.maxDedupEntries));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(block.path() + ": " + e.getMessage(), e);
    }
  }

  /** Same settings with another body limit. */
  public CfSettings withMaxBodySize(int bytes) {
    return new CfSettings(protocolThreads, udpReceiverThreads, udpSenderThreads, dtlsThreads, deduplicator,
        exchangeLifetime, peerMessages, sweepInterval, maxActivePeers, maxPeerInactivity, ackTimeout, maxRetransmit,
        preferredBlockSize, maxMessageSize, bytes, maxBacklog, maxDedupEntries);
  }

  /**
   * A fresh, explicit Californium configuration: the CoAP, UDP, TCP, DTLS and system modules with their
   * built-in defaults, overridden by these settings. Nothing is read from or written to disk.
   */
  public Configuration toConfiguration() {
    Configuration c = new Configuration(CoapConfig.DEFINITIONS, UdpConfig.DEFINITIONS, TcpConfig.DEFINITIONS,
        DtlsConfig.DEFINITIONS, SystemConfig.DEFINITIONS);
    c.set(CoapConfig.PROTOCOL_STAGE_THREAD_COUNT, protocolThreads);
    c.set(UdpConfig.UDP_RECEIVER_THREAD_COUNT, udpReceiverThreads);
    c.set(UdpConfig.UDP_SENDER_THREAD_COUNT, udpSenderThreads);
    c.set(DtlsConfig.DTLS_RECEIVER_THREAD_COUNT, 1);
    c.set(DtlsConfig.DTLS_CONNECTOR_THREAD_COUNT, dtlsThreads);
    c.set(CoapConfig.DEDUPLICATOR, deduplicator.californiumName());
    c.set(CoapConfig.EXCHANGE_LIFETIME, exchangeLifetime.toMillis(), TimeUnit.MILLISECONDS);
    c.set(CoapConfig.NON_LIFETIME, Math.min(NON_LIFETIME.toMillis(), exchangeLifetime.toMillis()), TimeUnit.MILLISECONDS);
    c.set(CoapConfig.PEERS_MARK_AND_SWEEP_MESSAGES, peerMessages);
    c.set(CoapConfig.MARK_AND_SWEEP_INTERVAL, sweepInterval.toMillis(), TimeUnit.MILLISECONDS);
    c.set(CoapConfig.MAX_ACTIVE_PEERS, maxActivePeers);
    c.set(DtlsConfig.DTLS_MAX_CONNECTIONS, maxActivePeers);
    c.set(CoapConfig.MAX_PEER_INACTIVITY_PERIOD, maxPeerInactivity.toMillis(), TimeUnit.MILLISECONDS);
    c.set(CoapConfig.ACK_TIMEOUT, ackTimeout.toMillis(), TimeUnit.MILLISECONDS);
    c.set(CoapConfig.MAX_RETRANSMIT, maxRetransmit);
    c.set(CoapConfig.PREFERRED_BLOCK_SIZE, preferredBlockSize);
    c.set(CoapConfig.MAX_MESSAGE_SIZE, maxMessageSize);
    c.set(CoapConfig.MAX_RESOURCE_BODY_SIZE, maxBodySize);
    return c;
  }

  private static int intOr(AdapterConfig c, String key, int dflt) {
    return c.has(key) ? c.getInt(key) : dflt;
  }

  private static Duration durationOr(AdapterConfig c, String key, Duration dflt) {
    return c.has(key) ? c.getDuration(key) : dflt;
  }

  private static void positive(String key, int v) {
    if (v <= 0) {
      throw new IllegalArgumentException(key + " must be positive, was " + v);
    }
  }

  private static void positive(String key, Duration v) {
    if (v == null || v.isNegative() || v.isZero()) {
      throw new IllegalArgumentException(key + " must be a positive duration, was " + v);
    }
  }
}
