package io.estuary.lua.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import io.estuary.testkit.TestGateway;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Real MQTT clients against scripts that loop, fail, and count connections (the VerneMQ blog's script). */
@Timeout(120)
class LuaLimitsIT {
  @TempDir
  Path dir;

  private TestGateway gateway(String script, String extra) throws Exception {
    Files.writeString(dir.resolve("s.lua"), script);
    return TestGateway.builder()
        .config("plugins.lua { script_path = \"" + dir + "\", scripts = [s.lua] " + extra + " }").start();
  }

  private static Mqtt5BlockingClient client(TestGateway gw, String id, String user) {
    return client(gw, id, user, "pw");
  }

  private static Mqtt5BlockingClient client(TestGateway gw, String id, String user, String password) {
    return Mqtt5Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(gw.mqttPort())
        .simpleAuth().username(user).password(password.getBytes()).applySimpleAuth().buildBlocking();
  }

  @Test
  void an_endless_loop_refuses_the_connect_within_the_call_limit_and_a_script_error_refuses_the_publish() throws Exception {
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    Logger plugin = (Logger) LoggerFactory.getLogger("io.estuary.lua.LuaPlugin");
    plugin.addAppender(logs);
    try (TestGateway gw = gateway("""
        function auth_on_register(reg)
          if reg.username == "looper" then while true do end end
          return true
        end
        function auth_on_publish(pub)
          if pub.topic == "boom" then error("no such table: acl") end
          return true
        end
        """, ", call_timeout = 500ms")) {
      Mqtt5BlockingClient ok = client(gw, "fine-1", "fine");
      ok.connect(); // the client library is loaded and warm before the clock starts
      Mqtt5BlockingClient looper = client(gw, "loop-1", "looper");
      long t0 = System.nanoTime();
      assertThatThrownBy(looper::connect).isInstanceOfSatisfying(Mqtt5ConnAckException.class,
          e -> assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED));
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3)); // limit 0.5 s
      assertThatThrownBy(() -> ok.publishWith().topic("boom").qos(MqttQos.AT_LEAST_ONCE).send())
          .isInstanceOfSatisfying(Mqtt5PubAckException.class,
              e -> assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED));
      ok.publishWith().topic("fine").qos(MqttQos.AT_LEAST_ONCE).send();
      ok.disconnect();
      List<String> lines = logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
      assertThat(lines).anyMatch(l -> l.contains("s.lua auth_on_register for loop-1") && l.contains("call limit"));
      await().atMost(Duration.ofSeconds(5)).until(() -> logs.list.stream().map(ILoggingEvent::getFormattedMessage)
          .anyMatch(l -> l.contains("s.lua auth_on_publish for fine-1") && l.contains("no such table: acl")));
    } finally {
      plugin.detachAppender(logs);
    }
  }

  @Test
  void the_blog_script_limits_connections_per_ip_until_a_client_goes() throws Exception {
    String blog;
    try (InputStream in = LuaLimitsIT.class.getResourceAsStream("/lua/public_vernemq.lua")) {
      blog = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    try (TestGateway gw = gateway(blog, "")) {
      Mqtt3BlockingClient a = Mqtt3Client.builder().identifier("blog-a").serverHost("127.0.0.1").serverPort(gw.mqttPort())
          .simpleAuth().username("ann").password("x".getBytes()).applySimpleAuth().buildBlocking();
      a.connect();
      Mqtt5BlockingClient b = client(gw, "blog-b", "bob", "bobsecret");
      b.connect();
      b.subscribeWith().topicFilter("$SYS/#").send();
      Mqtt3BlockingClient c = Mqtt3Client.builder().identifier("blog-c").serverHost("127.0.0.1").serverPort(gw.mqttPort())
          .simpleAuth().username("cid").password("x".getBytes()).applySimpleAuth().buildBlocking();
      assertThatThrownBy(c::connect).isInstanceOfSatisfying(Mqtt3ConnAckException.class,
          e -> assertThat(e.getMqttMessage().getReturnCode()).isEqualTo(Mqtt3ConnAckReturnCode.NOT_AUTHORIZED));
      a.disconnect();
      await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
        c.connect();
        return true;
      });
      c.disconnect();
      b.disconnect();
    }
  }
}
