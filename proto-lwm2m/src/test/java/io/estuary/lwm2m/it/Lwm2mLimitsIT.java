package io.estuary.lwm2m.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.estuary.cf.CfSettings;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.CoAP.Type;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Token;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.network.serialization.UdpDataSerializer;
import org.eclipse.californium.elements.config.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Overload protection of the LwM2M gateway (issue #13): registrations per listener and per second, the object links
 * of one registration and the per-source datagram rate, each refused where the device sees it (5.03 with Max-Age,
 * 4.00, or no answer at all for a datagram over its source's rate) and counted exactly.
 */
@Timeout(60)
class Lwm2mLimitsIT {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final Configuration CLIENT = CfSettings.DEFAULTS.toConfiguration();

  static CoapResponse register(InetSocketAddress server, String endpoint, String links) throws Exception {
    return post(server, "/rd?ep=" + endpoint + "&lt=300&lwm2m=1.1", links, 0);
  }

  /**
   * A registration update to {@code registered}'s location (its 2.01's Location-Path), or null when unanswered
   * within {@code timeoutMillis} (0: Californium's exchange lifetime).
   */
  static CoapResponse update(InetSocketAddress server, CoapResponse registered, long timeoutMillis) throws Exception {
    return post(server, "/" + registered.getOptions().getLocationPathString(), "", timeoutMillis);
  }

  /** A CON POST from a new socket on 127.0.0.1; null when unanswered within {@code timeoutMillis} (0: no limit). */
  static CoapResponse post(InetSocketAddress server, String pathAndQuery, String links, long timeoutMillis)
      throws Exception {
    CoapClient c = new CoapClient("coap://127.0.0.1:" + server.getPort() + pathAndQuery);
    c.setEndpoint(new CoapEndpoint.Builder().setConfiguration(CLIENT).build());
    if (timeoutMillis > 0) {
      c.setTimeout(timeoutMillis);
    }
    try {
      return c.post(links, MediaTypeRegistry.APPLICATION_LINK_FORMAT);
    } finally {
      c.shutdown();
    }
  }

  @Test
  void a_registration_over_max_connections_gets_5_03_with_max_age_and_re_registering_is_not_refused() throws Exception {
    try (Lwm2mHarness h = new Lwm2mHarness("gateway.lwm2m.listeners.udp.default.max_connections = 2")) {
      InetSocketAddress lwm2m = h.gw.listener("lwm2m", "udp:default");
      TestDevice a = new TestDevice("cap-a", lwm2m, 300, false);
      h.open.add(a);
      a.start();
      assertThat(register(lwm2m, "cap-b", "</1/0>,</3/0>").getCode()).isEqualTo(ResponseCode.CREATED);
      await().atMost(WAIT).until(() -> h.factory.adapter.sessionReady("cap-a"));

      TestDevice c = new TestDevice("cap-c", lwm2m, 300, false);
      h.open.add(c);
      c.start();
      h.neverRegisters(c, "UNKNOWN(503)"); // Leshan's client names no 5.03 code
      CoapResponse refused = register(lwm2m, "cap-d", "</1/0>,</3/0>");
      assertThat(refused.getCode()).isEqualTo(ResponseCode.SERVICE_UNAVAILABLE);
      assertThat(refused.getOptions().getMaxAge()).isEqualTo(30L);
      // cap-b registers again under its name: it replaces its registration
      assertThat(register(lwm2m, "cap-b", "</1/0>,</3/0>").getCode()).isEqualTo(ResponseCode.CREATED);
      assertThat(h.gw.metrics().counter("lwm2m.registrations.refused").count()).isGreaterThanOrEqualTo(2.0);
      double before = h.gw.metrics().counter("lwm2m.registrations.refused").count();
      assertThat(register(lwm2m, "cap-e", "</1/0>").getCode()).isEqualTo(ResponseCode.SERVICE_UNAVAILABLE);
      assertThat(h.gw.metrics().counter("lwm2m.registrations.refused").count()).isEqualTo(before + 1);
    }
  }

  @Test
  void a_registration_over_max_conn_rate_gets_5_03_with_max_age_1() throws Exception {
    try (Lwm2mHarness h = new Lwm2mHarness("gateway.lwm2m.listeners.udp.default.max_conn_rate = \"2/m\"")) {
      InetSocketAddress lwm2m = h.gw.listener("lwm2m", "udp:default");
      assertThat(register(lwm2m, "rate-1", "</1/0>").getCode()).isEqualTo(ResponseCode.CREATED);
      assertThat(register(lwm2m, "rate-2", "</1/0>").getCode()).isEqualTo(ResponseCode.CREATED);
      CoapResponse refused = register(lwm2m, "rate-3", "</1/0>");
      assertThat(refused.getCode()).isEqualTo(ResponseCode.SERVICE_UNAVAILABLE);
      assertThat(refused.getOptions().getMaxAge()).isEqualTo(1L);
      assertThat(h.gw.metrics().counter("lwm2m.registrations.rate_limited").count()).isEqualTo(1.0);
      assertThat(h.gw.metrics().counter("lwm2m.registrations.refused").count()).isEqualTo(0.0);
    }
  }

  @Test
  void a_registration_with_more_than_max_object_links_gets_4_00() throws Exception {
    try (Lwm2mHarness h = new Lwm2mHarness("gateway.lwm2m.max_object_links = 3")) {
      InetSocketAddress lwm2m = h.gw.listener("lwm2m", "udp:default");
      assertThat(register(lwm2m, "links-ok", "</1/0>,</3/0>,</5/0>").getCode()).isEqualTo(ResponseCode.CREATED);
      CoapResponse refused = register(lwm2m, "links-big", "</1/0>,</3/0>,</5/0>,</6/0>");
      assertThat(refused.getCode()).isEqualTo(ResponseCode.BAD_REQUEST);
      assertThat(h.gw.metrics().counter("lwm2m.registrations.links_refused").count()).isEqualTo(1.0);
      assertThat(h.factory.adapter.isAwake("links-big")).isFalse();
    }
  }

  @Test
  void datagrams_over_source_rate_are_dropped_unanswered_and_counted() throws Exception {
    try (Lwm2mHarness h = new Lwm2mHarness("gateway.lwm2m.listeners.udp.default.source_datagram_rate = \"3/m\"");
        DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      InetSocketAddress lwm2m = h.gw.listener("lwm2m", "udp:default");
      UdpDataSerializer serializer = new UdpDataSerializer();
      for (int i = 0; i < 8; i++) {
        Request r = Request.newGet();
        r.setType(Type.NON);
        r.getOptions().setUriPath("nothing");
        r.setMID(100 + i);
        r.setToken(Token.fromProvider(new byte[] {(byte) i}));
        byte[] b = serializer.getByteArray(r);
        s.send(new DatagramPacket(b, b.length, lwm2m));
      }
      await().atMost(WAIT).until(() -> h.gw.metrics().counter("lwm2m.datagrams.dropped").count() == 5.0);
      int answers = 0;
      s.setSoTimeout(500);
      try {
        while (true) {
          s.receive(new DatagramPacket(new byte[1500], 1500));
          answers++;
        }
      } catch (SocketTimeoutException done) {
        // no more
      }
      assertThat(answers).isEqualTo(3); // 4.04 for each admitted request, nothing for the dropped ones
      assertThat(h.gw.metrics().counter("lwm2m.datagrams.dropped").count()).isEqualTo(5.0);
    }
  }
}
