package io.estuary.cf;

import io.estuary.api.limits.SourceTable;
import java.net.InetSocketAddress;
import java.util.SplittableRandom;
import java.util.function.IntUnaryOperator;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.GroupedMessageIdTracker;
import org.eclipse.californium.core.network.MessageIdProvider;
import org.eclipse.californium.core.network.MessageIdTracker;
import org.eclipse.californium.elements.config.Configuration;

/**
 * The message ids an endpoint gives its own messages (CON requests and pings, NON responses, notifications): one
 * Californium {@link GroupedMessageIdTracker} per peer (a MID is not reused towards a peer within EXCHANGE_LIFETIME,
 * RFC 7252 §4.4), in a table of at most {@code max_active_peers} peers that evicts by CLOCK ({@link SourceTable}).
 *
 * <p>Why not Californium's own provider: its table of peers only forgets a peer after {@code max_peer_inactivity}
 * (10 minutes) and, full, <em>refuses</em> every new peer: a flood from 10,000 spoofed addresses left every device
 * new to the gateway without a message id for 10 minutes — no NON response, no notification, no ping (so an
 * observer could not prove its address and was closed at {@code half_open_timeout}) — and each refusal cost three
 * exceptions with stack traces on the protocol stage (~3,700 a second in the flood benchmark). Here a new peer at a
 * full table takes the place of one not seen lately. The evicted peer, when it comes back, gets a tracker starting at
 * a random MID: a reuse of one of its recent MIDs needs that start to fall within the few MIDs it used in the last
 * EXCHANGE_LIFETIME (k of 65,000 for k MIDs), where refusing meant no message at all.
 *
 * <p>Thread-safe: the table has its own monitor, each tracker its own. Multicast destinations are refused as
 * Californium's provider refuses them without {@code MULTICAST_BASE_MID} (the gateway sends no multicast).
 */
public final class PeerMessageIds implements MessageIdProvider {
  /** Californium's MID space (0..65535). */
  private static final int MIDS = 1 << 16;

  private final SourceTable<InetSocketAddress, MessageIdTracker> trackers;
  private final int range;

  /** At most {@code maxPeers} peers; {@code config} gives EXCHANGE_LIFETIME to the trackers. */
  public PeerMessageIds(int maxPeers, Configuration config) {
    this(maxPeers, config, new SplittableRandom()::nextInt);
  }

  /**
   * As above, with each new peer's first MID drawn by {@code firstMid} from the range it is given (tests start a peer
   * next to the wrap).
   */
  PeerMessageIds(int maxPeers, Configuration config, IntUnaryOperator firstMid) {
    // unicast MIDs stay below MULTICAST_BASE_MID when it is set (Californium's default: 65,000), as its provider does
    int multicastBase = config.get(CoapConfig.MULTICAST_BASE_MID);
    this.range = multicastBase > 0 ? multicastBase : MIDS;
    // the factory runs under the table's monitor: one thread at a time draws from the (unsynchronized) random
    this.trackers =
        new SourceTable<>(maxPeers, peer -> new GroupedMessageIdTracker(firstMid.applyAsInt(range), 0, range, config));
  }

  /** The MIDs given to peers are 0 (inclusive) to this (exclusive). */
  public int range() {
    return range;
  }

  @Override
  public int getNextMessageId(InetSocketAddress destination) {
    if (destination.getAddress() != null && destination.getAddress().isMulticastAddress()) {
      throw new IllegalStateException("no message ids for multicast destination " + destination);
    }
    return trackers.get(destination).getNextMessageId();
  }

  /** Peers held now. */
  public int peers() {
    return trackers.size();
  }

  /** Peers forgotten to make room for a new one. */
  public long evictions() {
    return trackers.evictions();
  }
}
