package io.estuary.lua.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import io.estuary.lua.it.RawClients;
import io.estuary.testkit.TestGateway;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end: the shipped auth/mysql.lua against a real MariaDB and auth/redis.lua against a real Redis, each
 * run unchanged by the Lua plugin of a real gateway holding VerneMQ's documented rows: an MQTT client with a
 * wrong password gets CONNACK not authorized, the right one is admitted and its publishes outside its publish
 * ACL get PUBACK not authorized; a STOMP client with a wrong passcode gets an ERROR frame.
 */
@Timeout(240)
class DatabaseAuthMysqlRedisIT {
  @TempDir
  static Path dir;
  static DatabaseServers.MariaDb mariadb;
  static DatabaseServers.Redis redis;
  static TestGateway mysqlGateway;
  static TestGateway redisGateway;

  static void copy(Path root, String script) throws Exception {
    for (String s : new String[] {"auth/auth_commons.lua", script}) {
      Path to = root.resolve(s);
      if (!Files.exists(to)) {
        Files.createDirectories(to.getParent());
        try (InputStream in = DatabaseAuthMysqlRedisIT.class.getResourceAsStream("/lua/" + s)) {
          Files.copy(in, to);
        }
      }
    }
  }

  static TestGateway gateway(Path scripts, String script, String module) {
    return TestGateway.builder()
        .adapter(DatabaseAuthProtocolsIT.adapter("stomp"))
        .config("""
            gateway.stomp.listeners.tcp.default.bind = "127.0.0.1:0"
            gateway.stomp.listeners.ssl.default { enable = false, bind = "127.0.0.1:0" }
            gateway.stomp.listeners.ws.default.bind = "127.0.0.1:0"
            gateway.stomp.listeners.wss.default { enable = false, bind = "127.0.0.1:0" }
            """)
        .config("plugins.lua { script_path = \"" + scripts + "\", scripts = [\"" + script + "\"], num_states = 2,"
            + " call_timeout = 5s, " + module + " }")
        .start();
  }

  @BeforeAll
  static void start() throws Exception {
    mariadb = DatabaseServers.mariadb();
    try (Connection c = mariadb.connect(); Statement s = c.createStatement()) {
      s.execute(MysqlAuthIT.SCHEMA);
      // VerneMQ's documented rows, hashed with PASSWORD() (password_hash_method = password)
      s.execute("INSERT INTO vmq_auth_acl VALUES ('', 'mqtt-dev', 'dev', PASSWORD('dev-pw'), "
          + "'[{\"pattern\":\"sensors/%c/#\"}]', '[]')");
      s.execute("INSERT INTO vmq_auth_acl VALUES ('', 'stomp-1', 'fleet', PASSWORD('fleet-pw'), "
          + "'[{\"pattern\":\"fleet/%c/+\"}]', '[]')");
    }
    redis = DatabaseServers.redis();
    Map<String, String> config = new HashMap<>(DatabaseServers.moduleConfig("redis", redis, "0"));
    config.remove("redis.user");
    RedisModule writer = new RedisModule();
    writer.start(config);
    try {
      LuaHarness lua = new LuaHarness(writer);
      lua.eval("redis.ensure_pool({pool_id = 'w'})");
      // the keys exactly as VerneMQ's docs write them: the JSON array [mountpoint, client id, username]
      lua.globals.set("dev", "{\"passhash\":\"" + LuaHarness.bcryptHash("dev-pw")
          + "\",\"publish_acl\":[{\"pattern\":\"sensors/%c/#\"}]}");
      lua.globals.set("fleet", "{\"passhash\":\"" + LuaHarness.bcryptHash("fleet-pw")
          + "\",\"publish_acl\":[{\"pattern\":\"fleet/%c/+\"}]}");
      lua.eval("assert(redis.cmd('w', 'SET', '[\"\",\"mqtt-dev\",\"dev\"]', dev) == 'OK')");
      lua.eval("assert(redis.cmd('w', 'SET', '[\"\",\"stomp-1\",\"fleet\"]', fleet) == 'OK')");
    } finally {
      writer.close();
    }
    Path mysqlScripts = dir.resolve("mysql");
    copy(mysqlScripts, "auth/mysql.lua");
    mysqlGateway = gateway(mysqlScripts, "auth/mysql.lua", "mysql { port = " + mariadb.port() + ", user = vmq,"
        + " password = \"" + DatabaseServer.PASSWORD + "\", database = vmq, timeout = 3s }");
    Path redisScripts = dir.resolve("redis");
    copy(redisScripts, "auth/redis.lua");
    redisGateway = gateway(redisScripts, "auth/redis.lua", "redis { port = " + redis.port() + ", password = \""
        + DatabaseServer.PASSWORD + "\", database = 0, timeout = 3s }");
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {mysqlGateway, redisGateway, mariadb, redis}) {
      if (c != null) {
        c.close();
      }
    }
  }

  static Mqtt5BlockingClient mqtt(TestGateway gw, String password) {
    return Mqtt5Client.builder().identifier("mqtt-dev").serverHost("127.0.0.1").serverPort(gw.mqttPort())
        .simpleAuth().username("dev").password(password.getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
        .buildBlocking();
  }

  static void mqttClientIsDecidedByItsRow(TestGateway gw) {
    assertThatThrownBy(() -> mqtt(gw, "wrong").connect()).isInstanceOfSatisfying(Mqtt5ConnAckException.class,
        e -> assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED));
    Mqtt5BlockingClient dev = mqtt(gw, "dev-pw");
    assertThat(dev.connect().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
    try {
      Mqtt5PublishResult ok = dev.publishWith().topic("sensors/mqtt-dev/temp").qos(MqttQos.AT_LEAST_ONCE)
          .payload("21".getBytes()).send();
      assertThat(ok.getError()).isEmpty();
      assertThatThrownBy(() -> dev.publishWith().topic("sensors/other-dev/temp").qos(MqttQos.AT_LEAST_ONCE)
          .payload("x".getBytes()).send()).isInstanceOfSatisfying(Mqtt5PubAckException.class,
              e -> assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED));
    } finally {
      dev.disconnect();
    }
  }

  static void stompClientIsDecidedByItsRow(TestGateway gw) throws Exception {
    InetSocketAddress stomp = gw.listener("stomp", "tcp:default");
    try (RawClients.Stomp s = new RawClients.Stomp(stomp)) {
      assertThat(s.connect("stomp-1", "fleet", "wrong")).startsWith("ERROR");
    }
    try (RawClients.Stomp s = new RawClients.Stomp(stomp)) {
      assertThat(s.connect("stomp-1", "fleet", "fleet-pw")).startsWith("CONNECTED");
      s.write("SEND\ndestination:fleet/stomp-1/pos\nreceipt:r1\n\nbody");
      assertThat(s.next()).startsWith("RECEIPT");
      s.write("SEND\ndestination:fleet/stomp-2/pos\nreceipt:r2\n\nno");
      assertThat(s.next()).startsWith("ERROR").contains("not authorized");
    }
  }

  @Test
  void auth_mysql_lua_with_a_real_mariadb_admits_and_refuses_an_mqtt_client_and_its_publishes() {
    mqttClientIsDecidedByItsRow(mysqlGateway);
  }

  @Test
  void auth_mysql_lua_with_a_real_mariadb_admits_and_refuses_a_stomp_client_and_its_sends() throws Exception {
    stompClientIsDecidedByItsRow(mysqlGateway);
  }

  @Test
  void auth_redis_lua_with_a_real_redis_admits_and_refuses_an_mqtt_client_and_its_publishes() {
    mqttClientIsDecidedByItsRow(redisGateway);
  }

  @Test
  void auth_redis_lua_with_a_real_redis_admits_and_refuses_a_stomp_client_and_its_sends() throws Exception {
    stompClientIsDecidedByItsRow(redisGateway);
  }
}
