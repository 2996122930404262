package io.estuary.lua.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAck;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import io.estuary.api.ProtocolAdapterFactory;
import io.estuary.lua.it.RawClients;
import io.estuary.testkit.TestGateway;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end: the shipped auth/postgres.lua, run by the Lua plugin of a real gateway against a real PostgreSQL
 * holding VerneMQ's vmq_auth_acl rows, admits and refuses MQTT, CoAP and STOMP clients, and their publishes and
 * subscribes are decided by the ACLs it cached at register: pg_stat_statements shows one query per register and
 * none per publish.
 */
@Timeout(180)
class DatabaseAuthProtocolsIT {
  @TempDir
  static Path dir;
  static DatabaseServers.Postgres pg;
  static TestGateway gw;
  static Mqtt5BlockingClient watcher;

  static ProtocolAdapterFactory adapter(String protocol) {
    return ServiceLoader.load(ProtocolAdapterFactory.class).stream().map(ServiceLoader.Provider::get)
        .filter(f -> f.protocol().equals(protocol)).findFirst().orElseThrow();
  }

  @BeforeAll
  static void start() throws Exception {
    pg = DatabaseServers.postgres();
    try (Connection c = pg.connect(); Statement s = c.createStatement()) {
      s.execute(PostgresAuthIT.SCHEMA);
      s.execute("CREATE EXTENSION pg_stat_statements");
    }
    PostgresAuthIT.server = pg;
    PostgresAuthIT.insert("mqtt-dev", "dev", "dev-pw", "[{\"pattern\":\"sensors/%c/#\"}]", "[{\"pattern\":\"cmd/%u/#\"}]");
    PostgresAuthIT.insert("*", "fleet", "fleet-pw", "[{\"pattern\":\"fleet/%c/+\"}]", "[{\"pattern\":\"fleet/#\"}]");
    PostgresAuthIT.insert("watcher", "watch", "watch-pw", "[]", "[{\"pattern\":\"#\"}]");
    for (String script : new String[] {"auth/auth_commons.lua", "auth/postgres.lua"}) {
      Path to = dir.resolve(script);
      Files.createDirectories(to.getParent());
      try (InputStream in = DatabaseAuthProtocolsIT.class.getResourceAsStream("/lua/" + script)) {
        Files.copy(in, to);
      }
    }
    gw = TestGateway.builder()
        .adapter(adapter("coap")).adapter(adapter("stomp"))
        .config("gateway.coap.listeners.udp.default.bind = \"127.0.0.1:0\"")
        .config("""
            gateway.stomp.listeners.tcp.default.bind = "127.0.0.1:0"
            gateway.stomp.listeners.ssl.default { enable = false, bind = "127.0.0.1:0" }
            gateway.stomp.listeners.ws.default.bind = "127.0.0.1:0"
            gateway.stomp.listeners.wss.default { enable = false, bind = "127.0.0.1:0" }
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

  /** How often PostgreSQL ran the script's vmq_auth_acl query. */
  static long aclQueries() throws Exception {
    try (Connection c = pg.connect(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT coalesce(sum(calls), 0) FROM pg_stat_statements"
             + " WHERE query LIKE '%FROM vmq_auth_acl%' AND query NOT LIKE '%pg_stat_statements%'")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  static Mqtt5Publish received(Mqtt5BlockingClient.Mqtt5Publishes p) throws InterruptedException {
    return p.receive(10, TimeUnit.SECONDS).orElseThrow(() -> new AssertionError("nothing arrived"));
  }

  static Mqtt5BlockingClient mqtt(String id, String user, String password) {
    return Mqtt5Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(gw.mqttPort())
        .simpleAuth().username(user).password(password.getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
        .buildBlocking();
  }

  @Test
  void an_mqtt_client_is_admitted_by_its_row_and_its_publishes_and_subscribes_cost_no_query() throws Exception {
    assertThatThrownBy(() -> mqtt("mqtt-dev", "dev", "wrong").connect()).isInstanceOfSatisfying(Mqtt5ConnAckException.class,
        e -> assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED));
    Mqtt5BlockingClient dev = mqtt("mqtt-dev", "dev", "dev-pw");
    long beforeRegister = aclQueries();
    dev.connect();
    long afterRegister = aclQueries();
    assertThat(afterRegister).as("the register's query, seen by pg_stat_statements").isEqualTo(beforeRegister + 1);
    try (var publishes = watcher.publishes(MqttGlobalPublishFilter.ALL)) {
      watcher.subscribeWith().topicFilter("sensors/#").qos(MqttQos.AT_LEAST_ONCE).send();
      for (int i = 0; i < 50; i++) {
        dev.publishWith().topic("sensors/mqtt-dev/temp").qos(MqttQos.AT_LEAST_ONCE).payload(("" + i).getBytes()).send();
      }
      for (int i = 0; i < 50; i++) {
        assertThat(new String(received(publishes).getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("" + i);
      }
      assertThatThrownBy(() -> dev.publishWith().topic("sensors/other-dev/temp").qos(MqttQos.AT_LEAST_ONCE)
          .payload("x".getBytes()).send()).isInstanceOfSatisfying(Mqtt5PubAckException.class,
              e -> assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED));
      Mqtt5SubAck ok = dev.subscribeWith().topicFilter("cmd/dev/#").qos(MqttQos.AT_LEAST_ONCE).send();
      assertThat(ok.getReasonCodes()).containsExactly(Mqtt5SubAckReasonCode.GRANTED_QOS_1);
      assertThatThrownBy(() -> dev.subscribeWith().topicFilter("cmd/other/#").qos(MqttQos.AT_LEAST_ONCE).send())
          .isInstanceOfSatisfying(Mqtt5SubAckException.class, e -> assertThat(e.getMqttMessage().getReasonCodes())
              .containsExactly(Mqtt5SubAckReasonCode.NOT_AUTHORIZED));
    } finally {
      dev.disconnect();
    }
    assertThat(aclQueries()).as("no query after the register").isEqualTo(afterRegister);
  }

  static CoapClient coap(String pathAndQuery) {
    CoapConfig.register();
    UdpConfig.register();
    CoapClient c = new CoapClient("coap://127.0.0.1:" + gw.listener("coap", "udp:default").getPort() + pathAndQuery);
    c.setEndpoint(new CoapEndpoint.Builder().setConfiguration(Configuration.createStandardWithoutFile()).build());
    c.setTimeout(5_000L);
    return c;
  }

  static void shutdown(CoapClient c) {
    c.getEndpoint().destroy();
    c.shutdown();
  }

  @Test
  void a_coap_device_is_admitted_by_a_wildcard_row_and_its_publishes_use_the_cached_acl() throws Exception {
    CoapClient refused = coap("/mqtt/connection?clientid=coap-1&username=fleet&password=wrong");
    CoapClient connect = coap("/mqtt/connection?clientid=coap-1&username=fleet&password=fleet-pw");
    try (var publishes = watcher.publishes(MqttGlobalPublishFilter.ALL)) {
      watcher.subscribeWith().topicFilter("fleet/#").qos(MqttQos.AT_LEAST_ONCE).send();
      assertThat(refused.post("", 0).getCode()).isEqualTo(ResponseCode.FORBIDDEN);
      CoapResponse r = connect.post("", 0);
      assertThat(r.getCode()).isEqualTo(ResponseCode.CREATED);
      String token = r.getResponseText();
      long afterRegister = aclQueries();
      CoapClient allowed = coap("/ps/fleet/coap-1/pos?clientid=coap-1&token=" + token + "&qos=1");
      CoapClient denied = coap("/ps/fleet/coap-2/pos?clientid=coap-1&token=" + token + "&qos=1");
      try {
        for (int i = 0; i < 5; i++) {
          assertThat(allowed.put("p" + i, 0).getCode()).isEqualTo(ResponseCode.CHANGED);
          assertThat(new String(received(publishes).getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("p" + i);
        }
        assertThat(denied.put("no", 0).getCode()).isEqualTo(ResponseCode.FORBIDDEN);
      } finally {
        shutdown(allowed);
        shutdown(denied);
      }
      assertThat(aclQueries()).isEqualTo(afterRegister);
    } finally {
      shutdown(refused);
      shutdown(connect);
    }
  }

  @Test
  void a_stomp_client_is_admitted_by_a_wildcard_row_and_its_sends_use_the_cached_acl() throws Exception {
    InetSocketAddress stomp = gw.listener("stomp", "tcp:default");
    try (RawClients.Stomp s = new RawClients.Stomp(stomp)) {
      assertThat(s.connect("stomp-1", "fleet", "wrong")).startsWith("ERROR");
    }
    try (var publishes = watcher.publishes(MqttGlobalPublishFilter.ALL); RawClients.Stomp s = new RawClients.Stomp(stomp)) {
      watcher.subscribeWith().topicFilter("fleet/#").qos(MqttQos.AT_LEAST_ONCE).send();
      assertThat(s.connect("stomp-1", "fleet", "fleet-pw")).startsWith("CONNECTED");
      long afterRegister = aclQueries();
      s.write("SEND\ndestination:fleet/stomp-1/pos\nreceipt:r1\n\nbody");
      assertThat(s.next()).startsWith("RECEIPT");
      assertThat(new String(received(publishes).getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("body");
      s.write("SEND\ndestination:fleet/stomp-2/pos\nreceipt:r2\n\nno");
      assertThat(s.next()).startsWith("ERROR").contains("not authorized");
      assertThat(aclQueries()).isEqualTo(afterRegister);
    }
  }
}
