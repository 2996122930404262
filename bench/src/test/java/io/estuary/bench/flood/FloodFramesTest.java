package io.estuary.bench.flood;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.mqttsn.codec.DecodeResult;
import io.estuary.mqttsn.codec.MqttSnCodec;
import io.estuary.mqttsn.codec.MqttSnFrame;
import java.net.InetAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.network.serialization.UdpDataParser;
import org.junit.jupiter.api.Test;

/** The flood benchmark's hand-made frames decode with the gateway's own MQTT-SN codec and Californium's parser. */
class FloodFramesTest {

  private static MqttSnFrame decoded(byte[] datagram) {
    DecodeResult r = MqttSnCodec.decode(datagram);
    assertThat(r).as("decodes: %s", r).isInstanceOf(DecodeResult.Decoded.class);
    return ((DecodeResult.Decoded) r).frame();
  }

  @Test
  void a_connect_decodes_with_its_clean_flag_keepalive_and_client_id() {
    assertThat(decoded(FloodFrames.connect("fl-abc", false, 30)))
        .isEqualTo(new MqttSnFrame.Connect(false, false, 30, "fl-abc"));
    assertThat(decoded(FloodFrames.connect("good-7", true, 0)))
        .isEqualTo(new MqttSnFrame.Connect(false, true, 0, "good-7"));
  }

  @Test
  void an_encapsulated_connect_decodes_as_the_forwarders_frame_around_the_clients_connect() {
    MqttSnFrame f = decoded(FloodFrames.encapsulate(2, new byte[] {9, 8, 7}, FloodFrames.connect("n1", true, 60)));
    assertThat(f).isInstanceOf(MqttSnFrame.Encapsulated.class);
    MqttSnFrame.Encapsulated e = (MqttSnFrame.Encapsulated) f;
    assertThat(e.radius()).isEqualTo(2);
    assertThat(e.wirelessNodeId().toByteArray()).containsExactly(9, 8, 7);
    assertThat(e.message()).isEqualTo(new MqttSnFrame.Connect(false, true, 60, "n1"));
  }

  @Test
  void the_good_clients_register_and_qos1_publish_decode_with_dup_msg_id_and_payload() {
    assertThat(decoded(FloodFrames.register(5, "flood-good/3"))).isEqualTo(new MqttSnFrame.Register(0, 5, "flood-good/3"));
    MqttSnFrame.Publish p = (MqttSnFrame.Publish) decoded(FloodFrames.publish(true, 1, 0x0102, 0xBEEF, new byte[] {1, 2}));
    assertThat(p.dup()).isTrue();
    assertThat(p.qos()).isEqualTo(1);
    assertThat(p.msgId()).isEqualTo(0xBEEF);
    assertThat(p.data().toByteArray()).containsExactly(1, 2);
    assertThat(decoded(FloodFrames.pingreq())).isInstanceOf(MqttSnFrame.PingReq.class);
  }

  @Test
  void every_random_flood_connect_decodes_and_a_quarter_or_so_come_through_a_forwarder() {
    SplittableRandom r = new SplittableRandom(13);
    int encapsulated = 0;
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 2_000; i++) {
      MqttSnFrame f = decoded(FloodFrames.randomConnect(r, 30, 0.25));
      if (f instanceof MqttSnFrame.Encapsulated e) {
        encapsulated++;
        f = e.message();
      }
      MqttSnFrame.Connect c = (MqttSnFrame.Connect) f;
      assertThat(c.durationSeconds()).isIn(0, 30);
      ids.add(c.clientId());
    }
    assertThat(encapsulated).isBetween(400, 600);
    assertThat(ids).hasSize(2_000);
  }

  @Test
  void flood_garbage_is_refused_by_the_decoder_except_publishes_from_clients_that_never_connected() {
    SplittableRandom r = new SplittableRandom(13);
    int errors = 0;
    int qosMinus1 = 0;
    for (int i = 0; i < 2_000; i++) {
      byte[] g = FloodFrames.randomGarbage(r);
      DecodeResult d = MqttSnCodec.decode(g);
      if (d instanceof DecodeResult.Decoded ok) {
        // a connectionless QoS -1 publish, or an oversized PUBLISH (three-octet length) from a client that
        // never connected: well-formed, for the channel to refuse
        assertThat(ok.frame()).isInstanceOf(MqttSnFrame.Publish.class);
        qosMinus1 += ((MqttSnFrame.Publish) ok.frame()).qos() == -1 ? 1 : 0;
      } else {
        errors++;
      }
    }
    assertThat(errors).isGreaterThan(1_200);
    assertThat(qosMinus1).isBetween(250, 420);
  }

  @Test
  void random_coap_requests_parse_as_pub_sub_and_connection_requests_with_their_token() {
    UdpDataParser parser = new UdpDataParser();
    SplittableRandom r = new SplittableRandom(13);
    Set<CoAP.Code> codes = new HashSet<>();
    boolean observed = false;
    for (int i = 0; i < 500; i++) {
      Request q = (Request) parser.parseMessage(FloodFrames.randomCoap(r));
      codes.add(q.getCode());
      assertThat(q.getType()).isIn(CoAP.Type.CON, CoAP.Type.NON);
      assertThat(q.getOptions().getUriPathString()).matches("ps/flood/[0-9a-z]+|mqtt/connection");
      assertThat(q.getOptions().getUriQueryString()).startsWith("clientid=fc-");
      observed |= q.getOptions().hasObserve();
    }
    assertThat(codes).containsExactlyInAnyOrder(CoAP.Code.GET, CoAP.Code.POST, CoAP.Code.PUT);
    assertThat(observed).isTrue();
    Request one = (Request) parser.parseMessage(FloodFrames.coap(FloodFrames.COAP_CON, FloodFrames.COAP_POST, 7,
        new byte[] {1, 2, 3}, -1, List.of("ps", "a", "b"), List.of("clientid=c", "qos=1"), new byte[] {'h', 'i'}));
    assertThat(one.getMID()).isEqualTo(7);
    assertThat(one.getToken().getBytes()).containsExactly(1, 2, 3);
    assertThat(one.getOptions().getUriPathString()).isEqualTo("ps/a/b");
    assertThat(one.getOptions().getUriQueryString()).isEqualTo("clientid=c&qos=1");
    assertThat(one.getPayloadString()).isEqualTo("hi");
  }

  @Test
  void flood_source_addresses_are_distinct_loopback_addresses_skipping_0_and_255() throws Exception {
    assertThat(Flood.address(0)).isEqualTo(InetAddress.getByName("127.1.0.1"));
    assertThat(Flood.address(253)).isEqualTo(InetAddress.getByName("127.1.0.254"));
    assertThat(Flood.address(254)).isEqualTo(InetAddress.getByName("127.1.1.1"));
    Set<InetAddress> all = new HashSet<>();
    for (int i = 0; i < 70_000; i++) {
      InetAddress a = Flood.address(i);
      assertThat(a.isLoopbackAddress()).isTrue();
      all.add(a);
    }
    assertThat(all).hasSize(70_000);
  }

  @Test
  void the_probe_reads_heap_and_session_gauges_from_prometheus_text() {
    String text = """
        # HELP jvm_memory_used_bytes The amount of used memory
        jvm_memory_used_bytes{area="heap",id="G1 Eden Space"} 1.048576E7
        jvm_memory_used_bytes{area="heap",id="G1 Old Gen"} 2097152.0
        jvm_memory_used_bytes{area="nonheap",id="Metaspace"} 5.0E7
        jvm_memory_max_bytes{area="heap",id="G1 Eden Space"} -1.0
        jvm_memory_max_bytes{area="heap",id="G1 Old Gen"} 1.073741824E9
        jvm_gc_live_data_size_bytes 3000000.0
        estuary_sessions_count 101.0
        estuary_connections_count 101.0
        process_start_time_seconds 1.765e9
        estuary_messages_dropped_total{reason="queue_full"} 12.0
        estuary_messages_dropped_total{reason="no_subscribers"} 3.0
        """;
    GatewayProbe.Sample s = GatewayProbe.parse(text);
    assertThat(s.heapUsed()).isEqualTo(10_485_760L + 2_097_152L);
    assertThat(s.liveAfterGc()).isEqualTo(3_000_000L);
    assertThat(s.sessions()).isEqualTo(101);
    assertThat(s.connections()).isEqualTo(101);
    assertThat(s.dropped()).containsEntry("queue_full", 12L).containsEntry("no_subscribers", 3L).hasSize(2);
    assertThat(GatewayProbe.sumHeap(text, "jvm_memory_max_bytes")).isEqualTo(1L << 30);
    assertThat(Flood.Mix.parse("connect=50, garbage=25,coap=25")).isEqualTo(new Flood.Mix(50, 25, 25));
    assertThat(Flood.Mix.parse("promote=100")).isEqualTo(new Flood.Mix(0, 0, 0, 100));
    assertThat(FloodBench.duration("30s")).isEqualTo(java.time.Duration.ofSeconds(30));
    assertThat(FloodBench.duration("500ms")).isEqualTo(java.time.Duration.ofMillis(500));
    assertThat(FloodBench.duration("2m")).isEqualTo(java.time.Duration.ofMinutes(2));
    assertThat(FloodBench.duration("PT5S")).isEqualTo(java.time.Duration.ofSeconds(5));
  }
}
