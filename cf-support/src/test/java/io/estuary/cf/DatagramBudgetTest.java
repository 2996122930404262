package io.estuary.cf;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.api.Metrics;
import io.estuary.api.limits.Rate;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DatagramBudgetTest {
  private static final class Count implements Metrics.Counter {
    final java.util.concurrent.CountDownLatch first = new java.util.concurrent.CountDownLatch(1);
    volatile double n;

    @Override
    public synchronized void increment() {
      n++;
      first.countDown();
    }

    @Override
    public synchronized void increment(long amount) {
      n += amount;
    }

    @Override
    public double count() {
      return n;
    }
  }

  private final Count overRate = new Count();
  private final Count overBacklog = new Count();
  private final Count paused = new Count();
  private final Count admitted = new Count();

  private DatagramBudget budget(String rate) {
    return new DatagramBudget("udp:test", Rate.parse(rate), () -> 0, 10, overRate, overBacklog, paused, admitted);
  }

  @Test
  void a_reader_over_the_rate_is_parked_until_the_bucket_pays_for_its_datagram_which_then_passes() {
    DatagramBudget b = budget("20/s");
    for (int i = 0; i < 20; i++) {
      assertThat(b.admit(true)).isTrue();
    }
    assertThat(paused.n).isZero();
    long start = System.nanoTime();
    assertThat(b.admit(true)).isTrue();
    assertThat(b.admit(true)).isTrue();
    long waited = System.nanoTime() - start;
    assertThat(waited).as("two datagrams at 20/s past the burst").isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(95));
    assertThat(paused.n).isEqualTo(2);
    assertThat(admitted.n).isEqualTo(22);
    assertThat(overRate.n).as("nothing read and shed over the rate").isZero();
  }

  @Test
  void without_pausing_a_datagram_over_the_rate_is_shed_and_counted() {
    DatagramBudget b = budget("2/h");
    assertThat(b.admit(false)).isTrue();
    assertThat(b.admit(false)).isTrue();
    assertThat(b.admit(false)).isFalse();
    assertThat(overRate.n).isEqualTo(1);
    assertThat(paused.n).isZero();
    assertThat(admitted.n).isEqualTo(2);
  }

  @Test
  void a_parked_reader_that_is_interrupted_by_the_connector_stopping_gives_up_its_datagram() throws Exception {
    DatagramBudget b = budget("1/h");
    assertThat(b.admit(true)).isTrue();
    CompletableFuture<Boolean> second = new CompletableFuture<>();
    Thread reader = new Thread(() -> second.complete(b.admit(true)));
    reader.start();
    assertThat(paused.first.await(5, TimeUnit.SECONDS)).as("the reader parked").isTrue();
    reader.interrupt();
    assertThat(second.get(5, TimeUnit.SECONDS)).isFalse();
    assertThat(admitted.n).isEqualTo(1);
  }

  @Test
  void a_source_over_its_own_rate_is_still_dropped_when_the_reader_may_pause() {
    Count dropped = new Count();
    SourceLimiter l = new SourceLimiter("udp:test", Rate.parse("1/h"), 10, dropped, budget("100/s"));
    InetSocketAddress a = new InetSocketAddress("10.0.0.1", 1);
    assertThat(l.admit(a, true)).isTrue();
    assertThat(l.admit(a, true)).isFalse();
    assertThat(dropped.n).isEqualTo(1);
    assertThat(paused.n).isZero();
  }
}
