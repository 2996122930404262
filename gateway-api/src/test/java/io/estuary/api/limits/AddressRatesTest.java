package io.estuary.api.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class AddressRatesTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  private static InetAddress ip(String s) throws Exception {
    return InetAddress.getByName(s);
  }

  private static InetAddress ip(int i) {
    try {
      return InetAddress.getByAddress(new byte[] {10, (byte) (i >> 16), (byte) (i >> 8), (byte) i});
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void each_address_has_its_own_buckets_that_start_full_and_refill_at_their_rate() throws Exception {
    AddressRates r = new AddressRates(10, List.of(Rate.parse("3/s"), Rate.parse("1/m")), now::get);
    for (int i = 0; i < 3; i++) {
      assertThat(r.tryAcquire(ip("10.0.0.1"), 0, 1)).isTrue();
    }
    assertThat(r.tryAcquire(ip("10.0.0.1"), 0, 1)).as("burst of one period spent").isFalse();
    assertThat(r.tryAcquire(ip("10.0.0.2"), 0, 1)).as("another address, its own bucket").isTrue();
    assertThat(r.tryAcquire(ip("10.0.0.1"), 1, 1)).as("the other kind, its own bucket").isTrue();
    assertThat(r.tryAcquire(ip("10.0.0.1"), 1, 1)).isFalse();
    now.addAndGet(Duration.ofMillis(340).toNanos());
    assertThat(r.tryAcquire(ip("10.0.0.1"), 0, 1)).as("1/3 s refills one token").isTrue();
    assertThat(r.tryAcquire(ip("10.0.0.1"), 0, 1)).isFalse();
    now.addAndGet(Duration.ofHours(1).toNanos());
    assertThat(r.tryAcquire(ip("10.0.0.1"), 0, 4)).as("refill caps at one period").isFalse();
    assertThat(r.tryAcquire(ip("10.0.0.1"), 0, 3)).isTrue();
    assertThat(r.size()).isEqualTo(2);
  }

  @Test
  void an_ipv4_address_and_its_mapped_ipv6_form_are_one_source_and_ipv6_is_kept_whole() throws Exception {
    AddressRates r = new AddressRates(10, List.of(Rate.parse("1/h")), now::get);
    assertThat(r.tryAcquire(ip("192.0.2.7"), 0, 1)).isTrue();
    InetAddress mapped = InetAddress.getByAddress(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, (byte) 192, 0, 2, 7});
    assertThat(r.tryAcquire(mapped, 0, 1)).as("the same host").isFalse();
    assertThat(r.tryAcquire(ip("2001:db8::1"), 0, 1)).isTrue();
    assertThat(r.tryAcquire(ip("2001:db8::1:0:0:1"), 0, 1)).as("differs only in the high word").isTrue();
    assertThat(r.tryAcquire(ip("2001:db8::1"), 0, 1)).isFalse();
    assertThat(r.size()).isEqualTo(3);
  }

  @Test
  void an_unlimited_rate_admits_everything_and_still_holds_the_address() throws Exception {
    AddressRates r = new AddressRates(4, List.of(Rate.INFINITY, Rate.parse("1/h")), now::get);
    for (int i = 0; i < 100; i++) {
      assertThat(r.tryAcquire(ip("10.0.0.1"), 0, 1)).isTrue();
    }
    assertThat(r.tryAcquire(ip("10.0.0.1"), 1, 1)).isTrue();
    assertThat(r.tryAcquire(ip("10.0.0.1"), 1, 1)).isFalse();
  }

  @Test
  void a_full_table_evicts_one_not_seen_lately_and_an_address_seen_between_a_flood_keeps_its_buckets() {
    AddressRates r = new AddressRates(3, List.of(Rate.parse("2/h")), now::get);
    assertThat(r.tryAcquire(ip(0), 0, 1)).isTrue(); // the device: one of its two tokens spent
    for (int i = 1; i <= 200; i++) {
      r.tryAcquire(ip(i), 0, 1); // a flood of addresses each seen once
      r.tryAcquire(ip(0), 0, 0); // the device, between them (takes nothing)
    }
    assertThat(r.tryAcquire(ip(0), 0, 1)).as("its bucket kept: one token left").isTrue();
    assertThat(r.tryAcquire(ip(0), 0, 1)).isFalse();
    assertThat(r.size()).isEqualTo(3);
    assertThat(r.evictions()).isEqualTo(198);
    assertThat(r.consistent()).isTrue();
  }

  @Test
  void an_evicted_address_comes_back_with_full_buckets() {
    AddressRates r = new AddressRates(1, List.of(Rate.parse("1/h")), now::get);
    assertThat(r.tryAcquire(ip(1), 0, 1)).isTrue();
    assertThat(r.tryAcquire(ip(1), 0, 1)).isFalse();
    assertThat(r.tryAcquire(ip(2), 0, 1)).isTrue();
    assertThat(r.tryAcquire(ip(1), 0, 1)).as("forgotten, so new again").isTrue();
    assertThat(r.evictions()).isEqualTo(2);
  }

  @Test
  void bad_arguments_are_refused() {
    assertThatThrownBy(() -> new AddressRates(0, List.of(Rate.INFINITY), now::get))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new AddressRates(5, List.of(), now::get)).isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * Against a model (a map of {@link TokenBucket}s, never full): the same answers for any sequence of addresses and
   * clock steps while the table has room; with a small table the index and the slots stay consistent through any
   * sequence of evictions (linear probing with backward-shift deletion), and it never holds more than its capacity.
   */
  @Property(tries = 300)
  void the_same_answers_as_a_map_of_token_buckets_and_a_consistent_index_through_evictions(
      @ForAll @Size(max = 400) List<@IntRange(min = 0, max = 300) Integer> addresses,
      @ForAll @IntRange(min = 1, max = 40) int smallCapacity) {
    AtomicLong clock = new AtomicLong();
    AddressRates big = new AddressRates(301, List.of(Rate.parse("5/s")), clock::get);
    AddressRates small = new AddressRates(smallCapacity, List.of(Rate.parse("5/s")), clock::get);
    Map<Integer, TokenBucket> model = new HashMap<>();
    for (int a : addresses) {
      clock.addAndGet((a % 7) * 50_000_000L); // 0..300 ms between datagrams
      boolean expected = model.computeIfAbsent(a, k -> new TokenBucket(Rate.parse("5/s"), clock::get)).tryAcquire(1);
      assertThat(big.tryAcquire(ip(a), 0, 1)).isEqualTo(expected);
      small.tryAcquire(ip(a), 0, 1);
      assertThat(small.size()).isLessThanOrEqualTo(smallCapacity);
    }
    assertThat(big.consistent()).isTrue();
    assertThat(small.consistent()).isTrue();
    assertThat(small.size() + small.evictions()).as("every new address either held or evicted a held one")
        .isGreaterThanOrEqualTo(Math.min(smallCapacity, model.size()));
  }
}
