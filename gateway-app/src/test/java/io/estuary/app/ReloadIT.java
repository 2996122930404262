package io.estuary.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import io.estuary.core.auth.PasswordHashes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged gateway reloads its password and ACL files on SIGHUP and on {@code estuary ctl reload} while
 * its clients stay connected; {@code estuary ctl webhooks register|show|deregister} at run time.
 */
@Timeout(120)
class ReloadIT {
  @TempDir
  Path dir;

  static Mqtt5BlockingClient connect(int port, String id, String user, String password) {
    var c = Mqtt5Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(port).buildBlocking();
    c.connectWith().simpleAuth().username(user).password(password.getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send();
    return c;
  }

  @Test
  void password_and_acl_files_reload_on_sighup_and_ctl_reload_without_dropping_clients() throws Exception {
    Path pw = dir.resolve("passwd");
    Path acl = dir.resolve("acl");
    Files.writeString(pw, "alice:" + PasswordHashes.pbkdf2("secret") + "\n");
    Files.writeString(acl, "user alice\ntopic readwrite a/#\n");
    Path conf = GatewayProcess.config(dir, """
        authentication { allow_anonymous = false, sources = [password_file], password_file = "%s" }
        authorization { no_match = deny, sources = [acl_file], acl_file = "%s" }
        webhooks.enable = true
        """.formatted(pw, acl));
    try (GatewayProcess g = GatewayProcess.start(conf, Map.of())) {
      assertThat(g.awaitLine("Estuary started", Duration.ofSeconds(60))).as(g.output()).isTrue();
      int port = g.port("mqtt", "tcp:default");
      Mqtt5BlockingClient alice = connect(port, "alice-1", "alice", "secret");
      var e = catchThrowableOfType(() -> connect(port, "bob-1", "bob", "builder"), Mqtt5ConnAckException.class);
      assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);

      Files.writeString(pw, "alice:" + PasswordHashes.pbkdf2("secret") + "\nbob:" + PasswordHashes.pbkdf2("builder") + "\n");
      Files.writeString(acl, "user alice\ntopic readwrite a/#\nuser bob\ntopic write a/#\n");
      Process hup = new ProcessBuilder("kill", "-HUP", Long.toString(g.pid())).start();
      assertThat(hup.waitFor(10, TimeUnit.SECONDS) && hup.exitValue() == 0).isTrue();
      assertThat(g.awaitLine("reloaded", Duration.ofSeconds(20))).as(g.output()).isTrue();

      Mqtt5BlockingClient bob = connect(port, "bob-1", "bob", "builder");
      try (var in = alice.publishes(MqttGlobalPublishFilter.ALL)) {
        alice.subscribeWith().topicFilter("a/#").qos(MqttQos.AT_LEAST_ONCE).send(); // alice's connection survived
        bob.publishWith().topic("a/1").qos(MqttQos.AT_LEAST_ONCE).payload("hi".getBytes()).send();
        assertThat(in.receive(10, TimeUnit.SECONDS)).hasValueSatisfying(m -> assertThat(m.getTopic().toString()).isEqualTo("a/1"));
      }

      Files.writeString(pw, "alice:" + PasswordHashes.pbkdf2("secret") + "\n"); // bob removed
      CtlIT.Run r = CtlIT.ctlIn(dir, "reload");
      assertThat(r.exit()).as(r.out()).isZero();
      var gone = catchThrowableOfType(() -> connect(port, "bob-2", "bob", "builder"), Mqtt5ConnAckException.class);
      assertThat(gone.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
      assertThat(alice.getState().isConnected()).isTrue();
      assertThat(bob.getState().isConnected()).isTrue(); // reloading checks new clients; it kicks no one

      Files.writeString(acl, "this is no acl line\n");
      CtlIT.Run bad = CtlIT.ctlIn(dir, "reload");
      assertThat(bad.exit()).isEqualTo(1);
      assertThat(bad.out()).contains("RELOAD_FAILED");
      alice.disconnect();
      bob.disconnect();

      CtlIT.Run reg = CtlIT.ctlIn(dir, "webhooks", "register", "hook=on_register", "endpoint=http://127.0.0.1:9/hook");
      assertThat(reg.exit()).as(reg.out()).isZero();
      assertThat(CtlIT.ctlIn(dir, "webhooks", "show").out()).contains("on_register", "http://127.0.0.1:9/hook");
      assertThat(CtlIT.ctlIn(dir, "webhooks", "deregister", "hook=on_register", "endpoint=http://127.0.0.1:9/hook").exit()).isZero();
      assertThat(CtlIT.ctlIn(dir, "webhooks", "deregister", "hook=on_register", "endpoint=http://127.0.0.1:9/hook").exit()).isEqualTo(1);
      assertThat(CtlIT.ctlIn(dir, "webhooks", "show").out()).doesNotContain("on_register");
    }
  }
}
