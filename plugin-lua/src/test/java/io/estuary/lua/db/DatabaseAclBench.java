package io.estuary.lua.db;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import io.estuary.testkit.TestGateway;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Benchmark, not a test (its name matches neither runner, so CI never runs it): QoS 1 publishes/s of one MQTT
 * client whose publish ACL comes from PostgreSQL through auth/postgres.lua and the auth cache, against the same
 * client under the built-in ACL (authentication.users + authorization.rules), in one run, rounds alternating.
 * Run: bench/lua-db-acl-bench.sh (MESSAGES, ROUNDS, INFLIGHT from the environment).
 */
class DatabaseAclBench {
  static final int MESSAGES = Integer.getInteger("bench.messages", 20_000);
  static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
  static final int INFLIGHT = Integer.getInteger("bench.inflight", 100);

  @TempDir
  Path dir;

  @Test
  void publishes_per_second_with_a_database_acl_and_with_the_built_in_acl() throws Exception {
    try (DatabaseServers.Postgres pg = DatabaseServers.postgres()) {
      try (Connection c = pg.connect(); Statement s = c.createStatement()) {
        s.execute(PostgresAuthIT.SCHEMA);
        s.execute("CREATE EXTENSION pg_stat_statements");
      }
      PostgresAuthIT.server = pg;
      PostgresAuthIT.insert("bench-dev", "dev", "dev-pw", "[{\"pattern\":\"sensors/%c/#\"}]", "[]");
      for (String script : new String[] {"auth/auth_commons.lua", "auth/postgres.lua"}) {
        Path to = dir.resolve(script);
        Files.createDirectories(to.getParent());
        try (InputStream in = DatabaseAclBench.class.getResourceAsStream("/lua/" + script)) {
          Files.copy(in, to);
        }
      }
      String builtIn = """
          authentication { allow_anonymous = false, users = [{ username = dev, password = "dev-pw" }] }
          authorization { no_match = deny,
            rules = [{ permission = allow, who = all, action = publish, topics = ["sensors/${clientid}/#"] }] }
          """;
      String lua = "authentication.allow_anonymous = true\n"
          + "plugins.lua { script_path = \"" + dir + "\", scripts = [\"auth/postgres.lua\"], num_states = 2,"
          + " postgres { port = " + pg.port() + ", user = vmq, password = \"" + DatabaseServer.PASSWORD
          + "\", database = postgres } }";
      List<Double> builtInRates = new ArrayList<>();
      List<Double> luaRates = new ArrayList<>();
      measure(builtIn); // warm-up of the JVM, not counted
      for (int round = 1; round <= ROUNDS; round++) {
        builtInRates.add(measure(builtIn));
        long before = queries(pg);
        luaRates.add(measure(lua));
        System.out.printf("round %d: built-in %.0f/s, lua+postgres %.0f/s, acl queries in the lua round %d%n",
            round, builtInRates.get(round - 1), luaRates.get(round - 1), queries(pg) - before);
      }
      double b = median(builtInRates);
      double l = median(luaRates);
      System.out.printf("RESULT messages=%d inflight=%d rounds=%d built-in median %.0f/s, lua+postgres median %.0f/s,"
          + " ratio lua/built-in %.2f%n", MESSAGES, INFLIGHT, ROUNDS, b, l, l / b);
    }
  }

  /** QoS 1 publishes/s of one client (at most INFLIGHT unacknowledged) on a gateway with {@code config}. */
  static double measure(String config) throws Exception {
    try (TestGateway gw = TestGateway.builder().config(config).start()) {
      Mqtt5AsyncClient c = Mqtt5Client.builder().identifier("bench-dev").serverHost("127.0.0.1")
          .serverPort(gw.mqttPort()).simpleAuth().username("dev").password("dev-pw".getBytes(StandardCharsets.UTF_8))
          .applySimpleAuth().buildAsync();
      c.connect().get(10, TimeUnit.SECONDS);
      try {
        Semaphore window = new Semaphore(INFLIGHT);
        AtomicInteger refused = new AtomicInteger();
        byte[] payload = new byte[64];
        long start = System.nanoTime();
        for (int i = 0; i < MESSAGES; i++) {
          window.acquire();
          c.publishWith().topic("sensors/bench-dev/t").qos(MqttQos.AT_LEAST_ONCE).payload(payload).send()
              .whenComplete((r, e) -> {
                if (e != null || ((Mqtt5PublishResult.Mqtt5Qos1Result) r).getPubAck().getReasonCode()
                    != Mqtt5PubAckReasonCode.NO_MATCHING_SUBSCRIBERS
                    && ((Mqtt5PublishResult.Mqtt5Qos1Result) r).getPubAck().getReasonCode() != Mqtt5PubAckReasonCode.SUCCESS) {
                  refused.incrementAndGet();
                }
                window.release();
              });
        }
        window.acquire(INFLIGHT);
        double seconds = (System.nanoTime() - start) / 1e9;
        if (refused.get() > 0) {
          throw new AssertionError(refused.get() + " publishes were refused: the ACL under test is wrong");
        }
        return MESSAGES / seconds;
      } finally {
        c.disconnect().get(10, TimeUnit.SECONDS);
      }
    }
  }

  static long queries(DatabaseServers.Postgres pg) throws Exception {
    try (Connection c = pg.connect(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT coalesce(sum(calls), 0) FROM pg_stat_statements"
             + " WHERE query LIKE '%FROM vmq_auth_acl%' AND query NOT LIKE '%pg_stat_statements%'")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  static double median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    Collections.sort(s);
    return s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
  }
}
