package io.estuary.cf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.Set;
import org.eclipse.californium.core.network.MessageIdProvider;
import org.junit.jupiter.api.Test;

class PeerMessageIdsTest {
  private final CfSettings settings = CfSettings.DEFAULTS;

  private static InetSocketAddress peer(int i) {
    return new InetSocketAddress("127.0.5." + i, 5683);
  }

  private PeerMessageIds ids(int maxPeers) {
    return new PeerMessageIds(maxPeers, settings.toConfiguration());
  }

  @Test
  void a_new_peer_at_a_full_table_gets_a_message_id_and_takes_the_place_of_one() {
    PeerMessageIds ids = ids(3);
    for (int i = 1; i <= 10; i++) {
      int mid = ids.getNextMessageId(peer(i));
      assertThat(mid).isBetween(0, 65_535);
    }
    assertThat(ids.peers()).isEqualTo(3);
    assertThat(ids.evictions()).isEqualTo(7);
  }

  @Test
  void message_ids_to_one_peer_follow_each_other_and_do_not_repeat() {
    PeerMessageIds ids = ids(3);
    int range = ids.range();
    Set<Integer> seen = new HashSet<>();
    int first = ids.getNextMessageId(peer(1));
    seen.add(first);
    for (int i = 1; i < 1_000; i++) {
      int mid = ids.getNextMessageId(peer(1));
      assertThat(mid).isEqualTo((first + i) % range);
      seen.add(mid);
    }
    assertThat(seen).hasSize(1_000);
  }

  @Test
  void unicast_ids_stay_below_the_multicast_base_and_wrap_to_zero() {
    // Californium keeps MULTICAST_BASE_MID (65,000 by default) and above for multicast requests
    assertThat(ids(3).range()).isEqualTo(65_000);
    MessageIdProvider ids = new PeerMessageIds(3, settings.toConfiguration(), range -> range - 2);
    assertThat(ids.getNextMessageId(peer(1))).isEqualTo(64_998);
    assertThat(ids.getNextMessageId(peer(1))).isEqualTo(64_999);
    assertThat(ids.getNextMessageId(peer(1))).isZero();
    assertThat(ids.getNextMessageId(peer(1))).isEqualTo(1);
  }

  @Test
  void a_peer_seen_lately_keeps_its_ids_while_new_peers_pass_through_the_full_table() {
    PeerMessageIds ids = ids(3);
    int last = ids.getNextMessageId(peer(1));
    for (int i = 2; i <= 200; i++) {
      ids.getNextMessageId(peer(i)); // a flood of peers each seen once
      int mid = ids.getNextMessageId(peer(1)); // the device, between them
      assertThat(mid).as("peer 1's tracker kept (its ids continue)").isEqualTo((last + 1) % ids.range());
      last = mid;
    }
    assertThat(ids.peers()).isEqualTo(3);
  }

  @Test
  void multicast_destinations_get_no_id() {
    PeerMessageIds ids = ids(3);
    assertThatThrownBy(() -> ids.getNextMessageId(new InetSocketAddress("224.0.1.187", 5683)))
        .isInstanceOf(IllegalStateException.class);
  }
}
