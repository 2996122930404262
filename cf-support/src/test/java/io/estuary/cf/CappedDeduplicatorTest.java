package io.estuary.cf;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.network.Exchange;
import org.eclipse.californium.core.network.KeyMID;
import org.junit.jupiter.api.Test;

class CappedDeduplicatorTest {
  private final AtomicLong nanos = new AtomicLong(1_000);
  private final DedupCap cap = new DedupCap(CfSettings.DEFAULTS);

  private CappedDeduplicator dedup(int max) {
    return new CappedDeduplicator(max, 247_000, 10_000, true, cap, nanos::get);
  }

  private static KeyMID key(int source, int mid) throws Exception {
    byte[] a = {127, 1, (byte) (source >> 8), (byte) source};
    return new KeyMID(mid, new InetSocketAddress(InetAddress.getByAddress(a), 40_000 + source % 1000));
  }

  private static Exchange remote() {
    return new Exchange(Request.newPost(), null, Exchange.Origin.REMOTE, Runnable::run);
  }

  @Test
  void more_distinct_requests_than_the_cap_from_many_sources_leave_the_store_at_the_cap() throws Exception {
    CappedDeduplicator d = dedup(1_000);
    for (int source = 0; source < 3_000; source++) {
      for (int mid = 0; mid < 4; mid++) {
        assertThat(d.findPrevious(key(source, mid), remote())).isNull();
      }
    }
    assertThat(d.size()).isEqualTo(1_000);
    assertThat(cap.entries()).isEqualTo(1_000);
    assertThat(cap.evictions()).isEqualTo(12_000 - 1_000);
  }

  @Test
  void a_duplicate_within_the_cap_finds_the_first_exchange_and_the_oldest_is_evicted_first() throws Exception {
    CappedDeduplicator d = dedup(3);
    Exchange first = remote();
    assertThat(d.findPrevious(key(1, 7), first)).isNull();
    assertThat(d.findPrevious(key(1, 7), remote())).isSameAs(first);
    d.findPrevious(key(2, 7), remote());
    d.findPrevious(key(3, 7), remote());
    d.findPrevious(key(4, 7), remote()); // evicts (1, 7), the oldest
    assertThat(d.find(key(1, 7))).isNull();
    assertThat(d.find(key(2, 7))).isNotNull();
    assertThat(cap.evictions()).isEqualTo(1);
    // forgotten: the retransmission is taken as a new request
    assertThat(d.findPrevious(key(1, 7), remote())).isNull();
    assertThat(d.size()).isEqualTo(3);
  }

  @Test
  void entries_older_than_the_exchange_lifetime_are_swept_and_no_longer_counted() throws Exception {
    CappedDeduplicator d = dedup(100);
    d.findPrevious(key(1, 1), remote());
    d.findPrevious(key(2, 1), remote());
    nanos.addAndGet(200_000_000_000L);
    d.findPrevious(key(3, 1), remote());
    nanos.addAndGet(50_000_000_000L); // the first two are 250 s old, the third 50 s
    assertThat(d.sweep()).isEqualTo(2);
    assertThat(d.size()).isEqualTo(1);
    assertThat(cap.entries()).isEqualTo(1);
    assertThat(d.find(key(3, 1))).isNotNull();
  }

  @Test
  void an_entry_of_our_own_outgoing_request_is_replaced_by_a_received_one() throws Exception {
    CappedDeduplicator d = dedup(10);
    Exchange local = new Exchange(Request.newGet(), null, Exchange.Origin.LOCAL, Runnable::run);
    d.findPrevious(key(1, 9), local);
    Exchange received = remote();
    assertThat(d.findPrevious(key(1, 9), received)).isNull();
    assertThat(d.find(key(1, 9))).isSameAs(received);
    assertThat(d.replacePrevious(key(1, 9), local, remote())).isFalse();
    assertThat(d.replacePrevious(key(1, 9), received, remote())).isTrue();
    assertThat(cap.entries()).isEqualTo(1);
  }
}
