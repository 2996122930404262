package io.estuary.cf;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.network.InMemoryMessageExchangeStore;
import org.eclipse.californium.core.network.RandomTokenGenerator;
import org.eclipse.californium.core.network.TokenGenerator;
import org.eclipse.californium.elements.config.Configuration;

/**
 * One adapter's message exchange stores: gives each of its UDP and DTLS endpoints its own store with bounded
 * per-peer state — a {@link CappedDeduplicator} of {@code californium.max_dedup_entries} entries with {@link
 * Deduplicator#CAPPED} (another {@code californium.deduplicator} is left to Californium's choice) and always a {@link
 * PeerMessageIds} of {@code californium.max_active_peers} peers — through the endpoint's builder, so nothing
 * process-wide such as Californium's static {@code DeduplicatorFactory} is touched; and counts, over all of them,
 * the entries held and evicted.
 *
 * <p>Thread-safe (atomic counters); {@link #equip} runs at adapter start.
 */
public final class DedupCap {
  private final CfSettings settings;
  private final AtomicLong entries = new AtomicLong();
  private final LongAdder evictions = new LongAdder();
  private final List<PeerMessageIds> messageIds = new CopyOnWriteArrayList<>();

  public DedupCap(CfSettings settings) {
    this.settings = settings;
  }

  /**
   * Gives {@code builder}'s endpoint a capped store when the settings ask for one ({@code configuration}: the one
   * the endpoint is built with). Returns {@code builder}.
   */
  public CoapEndpoint.Builder equip(CoapEndpoint.Builder builder, Configuration configuration) {
    TokenGenerator tokens = new RandomTokenGenerator(configuration);
    InMemoryMessageExchangeStore store = new InMemoryMessageExchangeStore(null, configuration, tokens);
    if (settings.deduplicator() == Deduplicator.CAPPED) {
      store.setDeduplicator(deduplicator(configuration));
    }
    PeerMessageIds ids = new PeerMessageIds(settings.maxActivePeers(), configuration);
    messageIds.add(ids);
    store.setMessageIdProvider(ids);
    return builder.setTokenGenerator(tokens).setMessageExchangeStore(store);
  }

  /** A fresh capped deduplicator, its lifetime and sweep interval from {@code configuration}. */
  CappedDeduplicator deduplicator(Configuration configuration) {
    return new CappedDeduplicator(settings.maxDedupEntries(),
        configuration.get(CoapConfig.EXCHANGE_LIFETIME, TimeUnit.MILLISECONDS),
        configuration.get(CoapConfig.MARK_AND_SWEEP_INTERVAL, TimeUnit.MILLISECONDS),
        configuration.get(CoapConfig.DEDUPLICATOR_AUTO_REPLACE), this, System::nanoTime);
  }

  /** Peers holding message-id state now, over every endpoint this object equipped ({@link PeerMessageIds}). */
  public long midPeers() {
    return messageIds.stream().mapToLong(PeerMessageIds::peers).sum();
  }

  /** Peers whose message-id state was forgotten to make room for a new peer, since start. */
  public long midPeerEvictions() {
    return messageIds.stream().mapToLong(PeerMessageIds::evictions).sum();
  }

  /** Entries held now by every store this object equipped. */
  public long entries() {
    return entries.get();
  }

  /** Entries evicted (before their exchange lifetime) to stay under the cap, since start. */
  public long evictions() {
    return evictions.sum();
  }

  void added() {
    entries.incrementAndGet();
  }

  void evicted() {
    evictions.increment();
  }

  void removed(int n) {
    if (n > 0) {
      entries.addAndGet(-n);
    }
  }
}
