package io.estuary.mqtt.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import io.estuary.testkit.ExternalPeers;
import io.estuary.testkit.TestGateway;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mosquitto user's password file (written by Debian's {@code mosquitto_passwd}, $7$ and $6$ hashes) and
 * ACL file, given unchanged to Debian's mosquitto and to Estuary: one table of cases runs against both and
 * each answer must be the expected one on both.
 */
@Timeout(120)
class MosquittoFilesIT {
  static final Path MOSQUITTO = Path.of("/usr/sbin/mosquitto");
  static final Path MOSQUITTO_PASSWD = Path.of("/usr/bin/mosquitto_passwd");
  static final String ACL = """
      # anonymous clients
      topic read anon/#
      topic write anon/w/#
      user alice
      topic read a/#
      topic write w/#
      topic deny a/secret
      topic readwrite shared/#
      user bob
      topic write a/#
      topic readwrite shared/#
      topic read w/#
      pattern readwrite p/%u/#
      pattern readwrite c/%c/#
      pattern readwrite sentinel/#
      """;

  @TempDir
  static Path dir;
  static Process mosquitto;
  static int mosquittoPort;
  static TestGateway gw;

  /** Who connects: username (null: anonymous), password, client id. */
  record Who(String user, String password, String clientId) {}

  static final Who ALICE = new Who("alice", "secret", null);
  static final Who BOB = new Who("bob", "builder", null);
  static final Who ANON = new Who(null, null, null);

  /** One case: {@code pub} publishes {@code topic} at QoS 1 while {@code sub} is subscribed to {@code filter}. */
  record Case(String name, Who pub, String topic, Who sub, String filter, String expected) {}

  static final List<Case> CASES = List.of(
      new Case("write and read grants", BOB, "a/x", ALICE, "a/#", "pub=ok recv=yes"),
      new Case("deny wins on read", BOB, "a/secret", ALICE, "a/#", "pub=ok recv=no"),
      new Case("write-only user may not publish where it reads", ALICE, "a/x", BOB, "#", "pub=refused recv=no"),
      new Case("wildcard subscriber gets only what it may read", ALICE, "w/1", BOB, "#", "pub=ok recv=yes"),
      new Case("readwrite without access word", ALICE, "shared/x", BOB, "shared/#", "pub=ok recv=yes"),
      new Case("%u pattern", ALICE, "p/alice/1", new Who("alice", "secret", "alice-sub"), "p/alice/#", "pub=ok recv=yes"),
      new Case("%u pattern of another user", ALICE, "p/bob/1", BOB, "p/bob/#", "pub=refused recv=no"),
      new Case("no read through another user's pattern", ALICE, "p/alice/2", BOB, "#", "pub=ok recv=no"),
      new Case("%c pattern, same client", new Who("alice", "secret", "k1"), "c/k1/x", new Who("alice", "secret", "k1"), "c/k1/#",
          "pub=ok recv=yes"),
      new Case("anonymous lines", ANON, "anon/w/1", ANON, "anon/#", "pub=ok recv=yes"),
      new Case("anonymous may not write user topics", ANON, "a/x", ALICE, "a/#", "pub=refused recv=no"),
      new Case("users do not get the anonymous lines", BOB, "shared/y", ANON, "shared/#", "pub=ok recv=no"));

  @BeforeAll
  static void start() throws Exception {
    ExternalPeers.require(Files.isExecutable(MOSQUITTO) && Files.isExecutable(MOSQUITTO_PASSWD), "mosquitto not installed");
    Path pw = dir.resolve("passwd");
    run(MOSQUITTO_PASSWD.toString(), "-c", "-b", pw.toString(), "alice", "secret"); // $7$ (PBKDF2-SHA512)
    run(MOSQUITTO_PASSWD.toString(), "-H", "sha512", "-b", pw.toString(), "bob", "builder"); // $6$
    Path acl = dir.resolve("acl");
    Files.writeString(acl, ACL);
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      mosquittoPort = s.getLocalPort();
    }
    Path conf = dir.resolve("mosquitto.conf");
    Files.writeString(conf, "listener " + mosquittoPort + " 127.0.0.1\nallow_anonymous true\npassword_file " + pw
        + "\nacl_file " + acl + "\nuser " + System.getProperty("user.name") + "\n");
    mosquitto = new ProcessBuilder(MOSQUITTO.toString(), "-c", conf.toString()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("mosquitto.log").toFile()).start();
    await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
      try (Socket s = new Socket("127.0.0.1", mosquittoPort)) {
        return true;
      }
    });
    gw = TestGateway.builder().config("""
        authentication { allow_anonymous = true, sources = [password_file], password_file = "%s" }
        authorization { no_match = deny, sources = [acl_file], acl_file = "%s" }
        """.formatted(pw, acl)).start();
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (gw != null) {
      gw.close();
    }
    if (mosquitto != null) {
      mosquitto.destroy();
      mosquitto.waitFor(10, TimeUnit.SECONDS);
    }
  }

  static void run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
  }

  static Mqtt5BlockingClient connect(int port, Who w, String fallbackId) {
    var c = Mqtt5Client.builder().identifier(w.clientId() != null ? w.clientId() : fallbackId)
        .serverHost("127.0.0.1").serverPort(port).buildBlocking();
    if (w.user() == null) {
      c.connect();
    } else {
      c.connectWith().simpleAuth().username(w.user()).password(w.password().getBytes(StandardCharsets.UTF_8))
          .applySimpleAuth().send();
    }
    return c;
  }

  /** "ok" or "refused" (what the client's CONNACK said). */
  static String tryConnect(int port, Who w) {
    try {
      connect(port, w, "conn-" + System.nanoTime()).disconnect();
      return "ok";
    } catch (Mqtt5ConnAckException e) {
      return "refused";
    }
  }

  /**
   * Runs one case: the subscriber also subscribes to a sentinel topic, which the publisher sends after the
   * case's message; the sentinel arriving without the message is what "recv=no" means (same publisher,
   * same QoS: MQTT keeps their order), and a refused publish is what the PUBACK said.
   */
  static String run(int port, Case c, int n) throws Exception {
    boolean same = c.pub().clientId() != null && c.pub().clientId().equals(c.sub().clientId());
    Mqtt5BlockingClient sub = connect(port, c.sub(), "sub-" + n);
    Mqtt5BlockingClient pub = same ? sub : connect(port, c.pub(), "pub-" + n);
    String sentinel = "sentinel/" + n;
    try (var got = sub.publishes(MqttGlobalPublishFilter.ALL)) {
      sub.subscribeWith().topicFilter(c.filter()).qos(MqttQos.AT_LEAST_ONCE).send();
      sub.subscribeWith().topicFilter(sentinel).qos(MqttQos.AT_LEAST_ONCE).send();
      String published;
      try {
        pub.publishWith().topic(c.topic()).qos(MqttQos.AT_LEAST_ONCE).payload("case".getBytes()).send();
        published = "ok";
      } catch (Mqtt5PubAckException e) {
        published = "refused";
      }
      pub.publishWith().topic(sentinel).qos(MqttQos.AT_LEAST_ONCE).payload("end".getBytes()).send();
      boolean received = false;
      while (true) {
        var m = got.receive(10, TimeUnit.SECONDS).orElseThrow(() -> new AssertionError("sentinel never arrived"));
        if (m.getTopic().toString().equals(sentinel)) {
          break;
        }
        received |= m.getTopic().toString().equals(c.topic());
      }
      return "pub=" + published + " recv=" + (received ? "yes" : "no");
    } finally {
      sub.disconnect();
      if (!same) {
        pub.disconnect();
      }
    }
  }

  @Test
  void passwords_from_mosquitto_passwd_are_checked_as_mosquitto_checks_them() {
    List<String> mosq = new ArrayList<>();
    List<String> estuary = new ArrayList<>();
    List<Who> who = List.of(ALICE, BOB, new Who("alice", "wrong", null), new Who("ghost", "x", null), ANON);
    for (Who w : who) {
      mosq.add(w.user() + ":" + tryConnect(mosquittoPort, w));
      estuary.add(w.user() + ":" + tryConnect(gw.mqttPort(), w));
    }
    assertThat(mosq).containsExactly("alice:ok", "bob:ok", "alice:refused", "ghost:refused", "null:ok");
    assertThat(estuary).isEqualTo(mosq);
  }

  @Test
  void every_acl_case_answers_the_same_on_mosquitto_and_on_estuary() throws Exception {
    List<String> expected = new ArrayList<>();
    List<String> mosq = new ArrayList<>();
    List<String> estuary = new ArrayList<>();
    for (int i = 0; i < CASES.size(); i++) {
      Case c = CASES.get(i);
      expected.add(c.name() + ": " + c.expected());
      mosq.add(c.name() + ": " + run(mosquittoPort, c, i));
      estuary.add(c.name() + ": " + run(gw.mqttPort(), c, i));
    }
    assertThat(mosq).as("mosquitto").isEqualTo(expected);
    assertThat(estuary).as("estuary").isEqualTo(expected);
  }
}
