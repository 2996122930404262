package io.estuary.api.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LimitsTest {
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

  @Test
  void ratesParseEmqxSyntax() {
    assertThat(Rate.parse("1000/s")).isEqualTo(new Rate(1000, Duration.ofSeconds(1)));
    assertThat(Rate.parse("100/10s")).isEqualTo(new Rate(100, Duration.ofSeconds(10)));
    assertThat(Rate.parse("1MB/m")).isEqualTo(new Rate(1024 * 1024, Duration.ofMinutes(1)));
    assertThat(Rate.parse("64KB/s").amount()).isEqualTo(65536);
    assertThat(Rate.parse("500").perSecond()).isEqualTo(500.0);
    assertThat(Rate.parse("infinity").isInfinite()).isTrue();
    assertThatThrownBy(() -> Rate.parse("fast")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fast");
    assertThatThrownBy(() -> Rate.parse("0/s")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aBucketRefusesOverItsBurstAndRefillsAtItsRate() {
    TokenBucket b = new TokenBucket(Rate.parse("10/s"), nanos::get);
    for (int i = 0; i < 10; i++) {
      assertThat(b.tryAcquire(1)).as("token %d of the burst", i).isTrue();
    }
    assertThat(b.tryAcquire(1)).isFalse();
    nanos.addAndGet(100_000_000L); // 0.1 s = one token
    assertThat(b.tryAcquire(1)).isTrue();
    assertThat(b.tryAcquire(1)).isFalse();
    nanos.addAndGet(10_000_000_000L); // refill caps at the burst
    assertThat(b.available()).isEqualTo(10.0);
  }

  @Test
  void takingIntoDebtTellsHowLongToPause() {
    TokenBucket b = new TokenBucket(Rate.parse("1000/s"), nanos::get);
    assertThat(b.take(1000)).isZero();
    assertThat(b.take(500)).isEqualTo(500_000_000L);
    nanos.addAndGet(500_000_000L);
    assertThat(b.take(0)).isZero();
  }

  @Test
  void anInfiniteBucketNeverRefuses() {
    TokenBucket b = new TokenBucket(Rate.INFINITY, nanos::get);
    assertThat(b.tryAcquire(Long.MAX_VALUE / 2)).isTrue();
    assertThat(b.take(1_000_000)).isZero();
  }

  @Test
  void aSourceTableEvictsTheLeastRecentlySeenSourceWhenFull() {
    SourceTable<String, AtomicLong> t = new SourceTable<>(2, k -> new AtomicLong());
    t.get("a").incrementAndGet();
    t.get("b");
    t.get("a"); // a is now the most recent
    t.get("c"); // evicts b
    assertThat(t.size()).isEqualTo(2);
    assertThat(t.peek("b")).isNull();
    assertThat(t.peek("a").get()).isEqualTo(1);
    assertThat(t.evictions()).isEqualTo(1);
  }

  @Test
  void aSourceThatKeepsSendingStaysWhileAFloodOfNewSourcesPassesThroughAFullTable() {
    SourceTable<String, AtomicLong> t = new SourceTable<>(3, k -> new AtomicLong());
    t.get("device").incrementAndGet();
    for (int i = 0; i < 1000; i++) {
      t.get("flood-" + i); // each flood address seen once
      if (i % 2 == 0) {
        t.get("device").incrementAndGet(); // the device sends every other datagram of the flood
      }
    }
    assertThat(t.peek("device")).as("a source seen since the hand last passed it gets a second chance").isNotNull();
    assertThat(t.peek("device").get()).isEqualTo(501);
    assertThat(t.size()).isEqualTo(3);
    assertThat(t.evictions()).isEqualTo(998);
    assertThat(t.peek("flood-999")).isNotNull();
  }

  @Test
  void aTableOfSourcesAllSeenStillEvictsAfterABoundedNumberOfSecondChances() {
    int n = SourceTable.SECOND_CHANCES + 1;
    SourceTable<Integer, AtomicLong> t = new SourceTable<>(n, k -> new AtomicLong());
    for (int i = 0; i < n; i++) {
      t.get(i);
      t.get(i); // seen
    }
    t.get(-1);
    assertThat(t.size()).isEqualTo(n);
    assertThat(t.evictions()).isEqualTo(1);
    assertThat(t.peek(n - 1)).as("the oldest left after %d second chances", SourceTable.SECOND_CHANCES).isNull();
    assertThat(t.peek(0)).isNotNull();
    assertThat(t.peek(-1)).isNotNull();
  }

  @Test
  void aThrottleAdmitsOneLinePerIntervalAndCountsTheRest() {
    LogThrottle l = new LogThrottle(1000, nanos::get);
    assertThat(l.admit()).isZero();
    assertThat(l.admit()).isEqualTo(-1);
    assertThat(l.admit()).isEqualTo(-1);
    nanos.addAndGet(1_000_000_000L);
    assertThat(l.admit()).isEqualTo(2);
    assertThat(LogThrottle.suffix(2)).isEqualTo(" (2 similar lines suppressed)");
  }
}
