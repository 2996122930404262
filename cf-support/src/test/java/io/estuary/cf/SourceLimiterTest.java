package io.estuary.cf;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.api.limits.Rate;
import io.estuary.testkit.CountingCounter;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class SourceLimiterTest {

  private static InetSocketAddress at(String ip, int port) {
    return new InetSocketAddress(ip, port);
  }

  @Test
  void a_source_over_its_rate_is_dropped_whatever_port_it_sends_from_and_counted() {
    CountingCounter dropped = new CountingCounter();
    SourceLimiter l = new SourceLimiter("udp:test", Rate.parse("3/h"), 10, dropped);
    for (int port = 1; port <= 3; port++) {
      assertThat(l.admit(at("10.0.0.1", port))).isTrue();
    }
    assertThat(l.admit(at("10.0.0.1", 4))).isFalse();
    assertThat(l.admit(at("10.0.0.1", 1))).isFalse();
    assertThat(l.admit(at("10.0.0.2", 1))).as("another source has its own bucket").isTrue();
    assertThat(dropped.count()).isEqualTo(2.0);
  }

  @Test
  void the_table_of_sources_stays_at_max_sources_evicting_the_least_recently_seen() {
    SourceLimiter l = new SourceLimiter("udp:test", Rate.parse("1/h"), 2, new CountingCounter());
    assertThat(l.admit(at("10.0.0.1", 1))).isTrue();
    assertThat(l.admit(at("10.0.0.2", 1))).isTrue();
    assertThat(l.admit(at("10.0.0.3", 1))).isTrue();
    assertThat(l.size()).isEqualTo(2);
    assertThat(l.evictions()).isEqualTo(1);
    assertThat(l.admit(at("10.0.0.3", 2))).as("still remembered: over its rate").isFalse();
  }

  @Test
  void an_infinite_rate_admits_everything_and_keeps_no_table() {
    SourceLimiter l = new SourceLimiter("udp:test", Rate.INFINITY, 1, new CountingCounter());
    for (int i = 0; i < 1000; i++) {
      assertThat(l.admit(at("10.0.0." + (i % 250), i + 1))).isTrue();
    }
    assertThat(l.size()).isZero();
  }

  @Test
  void a_datagram_within_its_source_rate_must_also_fit_the_listener_budget_and_over_source_ones_do_not_use_it() {
    CountingCounter dropped = new CountingCounter();
    CountingCounter overRate = new CountingCounter();
    CountingCounter overBacklog = new CountingCounter();
    DatagramBudget budget = new DatagramBudget("udp:test", Rate.parse("4/h"), () -> 0, 10, overRate, overBacklog);
    SourceLimiter l = new SourceLimiter("udp:test", Rate.parse("2/h"), 100, dropped, budget);
    int admitted = 0;
    for (int i = 0; i < 3; i++) { // a: 2 within its rate, 1 over it (not charged to the listener)
      admitted += l.admit(at("10.0.0.1", 1000 + i)) ? 1 : 0;
    }
    for (int i = 0; i < 3; i++) { // b and c: 2 of the listener's 4 left
      admitted += l.admit(at("10.0.0." + (2 + i % 2), 2000 + i)) ? 1 : 0;
    }
    assertThat(admitted).isEqualTo(4);
    assertThat(dropped.count()).isEqualTo(1.0);
    assertThat(overRate.count()).isEqualTo(1.0);
    assertThat(overBacklog.count()).isZero();
  }

  @Test
  void datagrams_are_shed_while_the_backlog_is_at_max_backlog_and_taken_again_when_it_drains() {
    CountingCounter overRate = new CountingCounter();
    CountingCounter overBacklog = new CountingCounter();
    java.util.concurrent.atomic.AtomicInteger waiting = new java.util.concurrent.atomic.AtomicInteger(3);
    DatagramBudget budget = new DatagramBudget("udp:test", Rate.INFINITY, waiting::get, 3, overRate, overBacklog);
    SourceLimiter l = new SourceLimiter("udp:test", Rate.INFINITY, 1, new CountingCounter(), budget);
    assertThat(l.admit(at("10.0.0.1", 1))).isFalse();
    assertThat(l.admit(at("10.0.0.2", 1))).isFalse();
    waiting.set(2);
    assertThat(l.admit(at("10.0.0.1", 1))).isTrue();
    assertThat(overBacklog.count()).isEqualTo(2.0);
    assertThat(overRate.count()).isZero();
  }

  @Test
  void the_backlog_executor_counts_the_tasks_waiting_to_run() throws Exception {
    BacklogExecutor e = new BacklogExecutor(1, Thread::new);
    try {
      java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
      java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
      e.execute(() -> {
        started.countDown();
        try {
          release.await();
        } catch (InterruptedException ex) {
          Thread.currentThread().interrupt();
        }
      });
      assertThat(started.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(3);
      for (int i = 0; i < 3; i++) {
        e.execute(done::countDown);
      }
      e.schedule(() -> { }, 1, java.util.concurrent.TimeUnit.HOURS); // scheduled work is not backlog
      assertThat(e.waiting()).isEqualTo(3);
      release.countDown();
      assertThat(done.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      assertThat(e.waiting()).isZero();
    } finally {
      e.shutdownNow();
    }
  }
}
