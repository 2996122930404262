package io.estuary.lua.db;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import io.estuary.testkit.TestGateway;
import java.io.ByteArrayOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.elements.AddressEndpointContext;
import org.eclipse.californium.elements.RawData;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.SystemConfig;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.pskstore.SinglePskStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end: the shipped auth/postgres.lua authorizes an MQTT-SN client over DTLS by the vmq_auth_acl row of
 * its PSK identity (identity_as = username: MQTT-SN carries no password, the handshake proved who it is), and
 * its publishes by that row's ACL; a PSK identity without a row, and the same client id over plain UDP (no
 * proven identity, no password), are refused. Frames are built by hand: the codec is proto-mqttsn's internals.
 */
@Timeout(180)
class DatabaseAuthMqttSnIT {
  static final int ACCEPTED = 0x00;
  static final int REJECTED_NOT_SUPPORTED = 0x03;

  @TempDir
  static Path dir;
  static DatabaseServers.Postgres pg;
  static TestGateway gw;
  static Mqtt5BlockingClient watcher;

  @BeforeAll
  static void start() throws Exception {
    pg = DatabaseServers.postgres();
    try (Connection c = pg.connect(); Statement s = c.createStatement()) {
      s.execute(PostgresAuthIT.SCHEMA);
    }
    PostgresAuthIT.server = pg;
    // the row's password is never presented: the DTLS handshake stands in for it
    PostgresAuthIT.insert("*", "sn-dev", "unused-pw", "[{\"pattern\":\"sn/%u/#\"}]", "[]");
    PostgresAuthIT.insert("watcher", "watch", "watch-pw", "[]", "[{\"pattern\":\"#\"}]");
    for (String script : new String[] {"auth/auth_commons.lua", "auth/postgres.lua"}) {
      Path to = dir.resolve(script);
      Files.createDirectories(to.getParent());
      try (var in = DatabaseAuthMqttSnIT.class.getResourceAsStream("/lua/" + script)) {
        Files.copy(in, to);
      }
    }
    gw = TestGateway.builder()
        .adapter(DatabaseAuthProtocolsIT.adapter("mqttsn"))
        .config("""
            gateway.mqttsn.listeners.udp.default.bind = "127.0.0.1:0"
            gateway.mqttsn.listeners.dtls.default {
              enable = true
              bind = "127.0.0.1:0"
              dtls_options {
                psk = [{identity = "sn-dev", key = "dev-key"}, {identity = "sn-ghost", key = "ghost-key"}]
                identity_as = username
              }
            }
            """)
        .config("plugins.lua { script_path = \"" + dir + "\", scripts = [\"auth/postgres.lua\"], num_states = 2,"
            + " call_timeout = 5s, postgres { port = " + pg.port() + ", user = vmq, password = \""
            + DatabaseServer.PASSWORD + "\", database = postgres, timeout = 3s } }")
        .start();
    watcher = Mqtt5Client.builder().identifier("watcher").serverHost("127.0.0.1").serverPort(gw.mqttPort())
        .simpleAuth().username("watch").password("watch-pw".getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
        .buildBlocking();
    watcher.connect();
  }

  @AfterAll
  static void stop() throws Exception {
    if (watcher != null) {
      watcher.disconnect();
    }
    if (gw != null) {
      gw.close();
    }
    if (pg != null) {
      pg.close();
    }
  }

  // --- MQTT-SN 1.2 frames (one-byte length) ---

  static byte[] frame(int type, byte[]... parts) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      b.writeBytes(p);
    }
    byte[] body = b.toByteArray();
    byte[] f = new byte[body.length + 2];
    f[0] = (byte) f.length;
    f[1] = (byte) type;
    System.arraycopy(body, 0, f, 2, body.length);
    return f;
  }

  static byte[] bytes(int... v) {
    byte[] b = new byte[v.length];
    for (int i = 0; i < v.length; i++) {
      b[i] = (byte) v[i];
    }
    return b;
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** CONNECT: clean session, protocol id 1, keep-alive 60 s. */
  static byte[] connect(String clientId) {
    return frame(0x04, bytes(0x04, 0x01, 0, 60), utf8(clientId));
  }

  static byte[] register(int msgId, String topic) {
    return frame(0x0A, bytes(0, 0, msgId >> 8, msgId), utf8(topic));
  }

  /** PUBLISH QoS 1 to a registered (normal) topic id. */
  static byte[] publish(int topicId, int msgId, String payload) {
    return frame(0x0C, bytes(0x20, topicId >> 8, topicId, msgId >> 8, msgId), utf8(payload));
  }

  /** A DTLS client with a pre-shared key (Scandium). */
  static final class DtlsClient implements AutoCloseable {
    final BlockingQueue<RawData> in = new LinkedBlockingQueue<>();
    final DTLSConnector connector;
    final InetSocketAddress server = gw.listener("mqttsn", "dtls:default");

    DtlsClient(String identity, String key) throws Exception {
      Configuration c = new Configuration(DtlsConfig.DEFINITIONS, UdpConfig.DEFINITIONS, SystemConfig.DEFINITIONS);
      c.set(DtlsConfig.DTLS_ROLE, DtlsConfig.DtlsRole.CLIENT_ONLY);
      c.set(DtlsConfig.DTLS_MAX_RETRANSMISSIONS, 2);
      c.set(DtlsConfig.DTLS_RETRANSMISSION_TIMEOUT, 500, TimeUnit.MILLISECONDS);
      connector = new DTLSConnector(DtlsConnectorConfig.builder(c)
          .setAddress(new InetSocketAddress("127.0.0.1", 0))
          .setPskStore(new SinglePskStore(identity, utf8(key))).build());
      connector.setRawDataReceiver(in::add);
      connector.start();
    }

    byte[] ask(byte[] frame) throws InterruptedException {
      connector.send(RawData.outbound(frame, new AddressEndpointContext(server), null, false));
      RawData r = in.poll(15, TimeUnit.SECONDS);
      assertThat(r).as("an answer from the gateway").isNotNull();
      return r.getBytes();
    }

    @Override
    public void close() {
      connector.destroy();
    }
  }

  @Test
  void a_dtls_client_is_admitted_by_the_row_of_its_psk_identity_and_its_publishes_follow_the_row_acl()
      throws Exception {
    try (DtlsClient sn = new DtlsClient("sn-dev", "dev-key");
         var publishes = watcher.publishes(MqttGlobalPublishFilter.ALL)) {
      watcher.subscribeWith().topicFilter("sn/#").qos(MqttQos.AT_LEAST_ONCE).send();
      assertThat(sn.ask(connect("sn-dev-1"))).as("CONNACK accepted").containsExactly(3, 0x05, ACCEPTED);

      byte[] allowedAck = sn.ask(register(1, "sn/sn-dev/temp"));
      assertThat(allowedAck[1]).isEqualTo((byte) 0x0B);
      assertThat(allowedAck[6]).as("REGACK").isEqualTo((byte) ACCEPTED);
      int allowed = ((allowedAck[2] & 0xff) << 8) | (allowedAck[3] & 0xff);
      byte[] puback = sn.ask(publish(allowed, 2, "21.5"));
      assertThat(puback).as("PUBACK accepted").containsExactly(7, 0x0D, allowed >> 8, allowed & 0xff, 0, 2, ACCEPTED);
      var got = publishes.receive(10, TimeUnit.SECONDS);
      assertThat(got).as("the publish reached the MQTT subscriber").isPresent();
      assertThat(got.get().getTopic().toString()).isEqualTo("sn/sn-dev/temp");
      assertThat(new String(got.get().getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("21.5");

      byte[] deniedAck = sn.ask(register(3, "sn/other/temp"));
      assertThat(deniedAck[6]).as("REGACK").isEqualTo((byte) ACCEPTED);
      int denied = ((deniedAck[2] & 0xff) << 8) | (deniedAck[3] & 0xff);
      assertThat(sn.ask(publish(denied, 4, "no"))).as("PUBACK rejected outside the row's publish ACL")
          .containsExactly(7, 0x0D, denied >> 8, denied & 0xff, 0, 4, REJECTED_NOT_SUPPORTED);
    }
  }

  @Test
  void a_dtls_client_whose_psk_identity_has_no_row_is_refused() throws Exception {
    try (DtlsClient sn = new DtlsClient("sn-ghost", "ghost-key")) {
      assertThat(sn.ask(connect("sn-ghost-1"))).as("CONNACK refused").containsExactly(3, 0x05, REJECTED_NOT_SUPPORTED);
    }
  }

  @Test
  void the_same_username_over_plain_udp_without_a_proven_identity_is_refused() throws Exception {
    // over plain UDP the client id doubles as the username: "sn-dev" names the row, but nothing proves it
    InetSocketAddress udp = gw.listener("mqttsn", "udp:default");
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      s.setSoTimeout(15_000);
      byte[] c = connect("sn-dev");
      s.send(new DatagramPacket(c, c.length, udp));
      DatagramPacket answer = new DatagramPacket(new byte[64], 64);
      s.receive(answer);
      assertThat(Arrays.copyOf(answer.getData(), answer.getLength())).as("CONNACK refused")
          .containsExactly(3, 0x05, REJECTED_NOT_SUPPORTED);
    }
  }
}
