package io.estuary.coap;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.coap.support.CoapGateway;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code unknown_datagram_rate}: datagrams from addresses the listener does not know share one small budget, checked
 * before Californium parses them, while a device that proved its address keeps being served. {@code
 * known_source_rule = reachable} (the default): an address is known once it used a connection token or answered a
 * CON of ours; a 2.xx answer to it proves nothing (a spoofed request can get one).
 */
class CoapUnknownSourcesIT {
  private static final int SOURCES = 30;
  private static final int PER_SOURCE = 10;
  private static final byte RESPONSE_NOT_FOUND = (byte) 0x84; // 4.04

  @Test
  @Timeout(60)
  void requests_from_unknown_addresses_past_the_budget_are_shed_while_a_device_that_used_its_token_is_served()
      throws Exception {
    // 6 tokens an hour: the count of what passes is exact, however fast the machine is
    try (CoapGateway h = CoapGateway.start("listeners.udp.default.unknown_datagram_rate = \"6/h\"",
        "listeners.udp.default.source_datagram_rate = infinity")) {
      CoapResponse opened = h.client("/mqtt/connection?clientid=good").post("", MediaTypeRegistry.TEXT_PLAIN);
      assertThat(opened.getCode()).as("the connection (1 of the 6 unknown tokens)").isEqualTo(ResponseCode.CREATED);
      CoapClient good = h.client("/ps/good?clientid=good&token=" + opened.getResponseText());
      CoapResponse first = good.post("hello", MediaTypeRegistry.TEXT_PLAIN);
      assertThat(first.getCode()).as("the first request with the token (2 of 6): it proves the address")
          .isEqualTo(ResponseCode.CHANGED);
      assertThat(h.scrape("estuary_coap_known_sources")).isEqualTo(1.0);

      List<DatagramChannel> flood = new ArrayList<>();
      try {
        for (int i = 1; i <= SOURCES; i++) {
          DatagramChannel ch = DatagramChannel.open();
          ch.bind(new InetSocketAddress(InetAddress.getByName("127.0.5." + i), 0));
          ch.configureBlocking(false);
          flood.add(ch);
        }
        int mid = 1;
        for (int round = 0; round < PER_SOURCE; round++) {
          for (DatagramChannel ch : flood) {
            // CON GET /nope: answered 4.04 when it is let through, which does not make its address known
            ByteBuffer get = ByteBuffer.allocate(9);
            get.put((byte) 0x40).put((byte) 0x01).putShort((short) mid++).put((byte) 0xB4).put("nope".getBytes()).flip();
            assertThat(ch.send(get, h.address)).isEqualTo(9);
          }
          // the known device goes on publishing through the flood
          assertThat(good.post("during " + round, MediaTypeRegistry.TEXT_PLAIN).getCode())
              .isEqualTo(ResponseCode.CHANGED);
        }
        int total = SOURCES * PER_SOURCE;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (h.count("coap.datagrams.shed", "reason", "unknown_datagram_rate") < total - 4
            && System.nanoTime() < deadline) {
          Thread.onSpinWait();
        }
        assertThat(h.count("coap.datagrams.shed", "reason", "unknown_datagram_rate"))
            .as("every flood datagram but the 4 tokens left after the device's first request").isEqualTo(total - 4.0);

        // what the flood got back: exactly the 4 answers (4.04) of the requests let through
        int answers = 0;
        ByteBuffer in = ByteBuffer.allocate(64);
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (answers < 4 && System.nanoTime() < deadline) {
          for (DatagramChannel ch : flood) {
            in.clear();
            if (ch.receive(in) != null) {
              assertThat(in.get(1)).isEqualTo(RESPONSE_NOT_FOUND);
              answers++;
            }
          }
        }
        assertThat(answers).isEqualTo(4);
        assertThat(h.count("coap.datagrams.shed", "reason", "unknown_datagram_rate"))
            .as("the device's publishes never touched the budget").isEqualTo(total - 4.0);
        assertThat(h.count("coap.datagrams.shed", "reason", "max_datagram_rate")).isEqualTo(0.0);
      } finally {
        for (DatagramChannel ch : flood) {
          ch.close();
        }
      }
    }
  }

  @Test
  @Timeout(60)
  void a_connectionless_2xx_does_not_make_an_address_known_unless_known_source_rule_is_answered() throws Exception {
    // reachable (the default): the anonymous publish's 2.04 proves nothing, the next request is shed
    try (CoapGateway h = CoapGateway.start("listeners.udp.default.unknown_datagram_rate = \"1/h\"",
        "listeners.udp.default.source_datagram_rate = infinity")) {
      CoapClient device = h.client("/ps/anon?clientid=anon");
      assertThat(device.post("1", MediaTypeRegistry.TEXT_PLAIN).getCode()).isEqualTo(ResponseCode.CHANGED);
      device.setTimeout(1_500L);
      assertThat(device.post("2", MediaTypeRegistry.TEXT_PLAIN)).as("shed: its address is still unknown").isNull();
      assertThat(h.count("coap.datagrams.shed", "reason", "unknown_datagram_rate")).isGreaterThanOrEqualTo(1.0);
      assertThat(h.scrape("estuary_coap_known_sources")).isZero();
    }
    // answered: the 2.04 makes the address known, the next requests are served without the budget
    try (CoapGateway h = CoapGateway.start("listeners.udp.default.unknown_datagram_rate = \"1/h\"",
        "listeners.udp.default.source_datagram_rate = infinity", "known_source_rule = answered")) {
      CoapClient device = h.client("/ps/anon?clientid=anon");
      for (int i = 0; i < 5; i++) {
        assertThat(device.post("n" + i, MediaTypeRegistry.TEXT_PLAIN).getCode()).isEqualTo(ResponseCode.CHANGED);
      }
      assertThat(h.count("coap.datagrams.shed", "reason", "unknown_datagram_rate")).isZero();
    }
  }

  @Test
  @Timeout(60)
  void an_observer_that_answers_the_gateways_ping_becomes_known_and_is_served_past_the_budget() throws Exception {
    try (CoapGateway h = CoapGateway.start("listeners.udp.default.unknown_datagram_rate = \"2/h\"",
        "listeners.udp.default.source_datagram_rate = infinity")) {
      // the observe GET (token 1) and Californium's RST to the gateway's ping (token 2) spend the budget
      CoapClient observer = h.client("/ps/obs?clientid=obs");
      java.util.concurrent.BlockingQueue<CoapResponse> seen = new java.util.concurrent.LinkedBlockingQueue<>();
      var relation = observer.observe(new org.eclipse.californium.core.CoapHandler() {
        @Override
        public void onLoad(CoapResponse r) {
          seen.add(r);
        }

        @Override
        public void onError() {
        }
      });
      assertThat(seen.poll(10, TimeUnit.SECONDS)).as("the observe's first answer").isNotNull();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (h.scrape("estuary_coap_known_sources") < 1.0 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(h.count("coap.half_open.proven")).as("the ping answered").isEqualTo(1.0);
      assertThat(h.scrape("estuary_coap_known_sources")).isEqualTo(1.0);
      // the budget is spent, yet the proven address is served (another port of the same host too)
      CoapClient publisher = h.client("/ps/obs?clientid=pub");
      for (int i = 0; i < 5; i++) {
        assertThat(publisher.post("p" + i, MediaTypeRegistry.TEXT_PLAIN).getCode()).isEqualTo(ResponseCode.CHANGED);
      }
      assertThat(h.count("coap.datagrams.shed", "reason", "unknown_datagram_rate")).isZero();
      relation.proactiveCancel();
    }
  }

  @Test
  @Timeout(60)
  void a_device_new_to_the_listener_is_shed_once_the_budget_is_spent() throws Exception {
    try (CoapGateway h = CoapGateway.start("listeners.udp.default.unknown_datagram_rate = \"1/h\"",
        "listeners.udp.default.source_datagram_rate = infinity")) {
      // the one token an hour goes to an address that gets a 4.04, which does not make it known
      try (DatagramChannel other = DatagramChannel.open()) {
        other.bind(new InetSocketAddress(InetAddress.getByName("127.0.6.1"), 0));
        ByteBuffer get = ByteBuffer.allocate(9);
        get.put((byte) 0x40).put((byte) 0x01).putShort((short) 7).put((byte) 0xB4).put("nope".getBytes()).flip();
        other.send(get, h.address);
        ByteBuffer in = ByteBuffer.allocate(64);
        other.receive(in);
        assertThat(in.get(1)).isEqualTo(RESPONSE_NOT_FOUND);
      }
      // 127.0.0.1 is not known: its request is shed, the client records a timeout (no answer to unknown addresses)
      CoapClient device = h.client("/ps/late?clientid=late");
      device.setTimeout(1_500L);
      CoapResponse r = device.post("x", MediaTypeRegistry.TEXT_PLAIN);
      assertThat(r).as("no answer while the unknown budget is spent").isNull();
      assertThat(h.count("coap.datagrams.shed", "reason", "unknown_datagram_rate")).isGreaterThanOrEqualTo(1.0);
    }
  }
}
