package io.estuary.cf;

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
 * One adapter's {@link Deduplicator#CAPPED} duplicate-detection stores: gives each of its UDP and DTLS endpoints a
 * {@link CappedDeduplicator} of {@code californium.max_dedup_entries} entries (through the endpoint's message
 * exchange store, so nothing process-wide such as Californium's static {@code DeduplicatorFactory} is touched) and
 * counts, over all of them, the entries held and the entries evicted to stay under the cap. With another
 * {@code californium.deduplicator} it leaves endpoints to Californium's choice.
 *
 * <p>Thread-safe (atomic counters); {@link #equip} runs at adapter start.
 */
public final class DedupCap {
  private final CfSettings settings;
  private final AtomicLong entries = new AtomicLong();
  private final LongAdder evictions = new LongAdder();

  public DedupCap(CfSettings settings) {
    this.settings = settings;
  }

  /**
   * Gives {@code builder}'s endpoint a capped store when the settings ask for one ({@code configuration}: the one
   * the endpoint is built with). Returns {@code builder}.
   */
  public CoapEndpoint.Builder equip(CoapEndpoint.Builder builder, Configuration configuration) {
    if (settings.deduplicator() != Deduplicator.CAPPED) {
      return builder;
    }
    TokenGenerator tokens = new RandomTokenGenerator(configuration);
    InMemoryMessageExchangeStore store = new InMemoryMessageExchangeStore(null, configuration, tokens);
    store.setDeduplicator(deduplicator(configuration));
    return builder.setTokenGenerator(tokens).setMessageExchangeStore(store);
  }

  /** A fresh capped deduplicator, its lifetime and sweep interval from {@code configuration}. */
  CappedDeduplicator deduplicator(Configuration configuration) {
    return new CappedDeduplicator(settings.maxDedupEntries(),
        configuration.get(CoapConfig.EXCHANGE_LIFETIME, TimeUnit.MILLISECONDS),
        configuration.get(CoapConfig.MARK_AND_SWEEP_INTERVAL, TimeUnit.MILLISECONDS),
        configuration.get(CoapConfig.DEDUPLICATOR_AUTO_REPLACE), this, System::nanoTime);
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
