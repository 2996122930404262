package io.estuary.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The packaged gateway as users run it: start-up log, SIGTERM, port in use, bad config. */
@Timeout(120)
class GatewayProcessIT {

  @Test
  void starts_logs_listeners_and_stops_cleanly_on_sigterm(@TempDir Path dir) throws Exception {
    try (GatewayProcess gw = GatewayProcess.start(GatewayProcess.config(dir, ""), Map.of())) {
      assertThat(gw.awaitLine("Estuary started", Duration.ofSeconds(60))).as(gw.output()).isTrue();
      assertThat(gw.output()).contains("listener mqtt tcp:default on 127.0.0.1:", "listener mqtt ws:default on 127.0.0.1:",
          "anonymous clients are allowed; set authentication.allow_anonymous = false");
      int port = gw.port("mqtt", "tcp:default");
      CompletableFuture<Throwable> cause = new CompletableFuture<>();
      var client = Mqtt5Client.builder().identifier("watch-shutdown").serverHost("127.0.0.1").serverPort(port)
          .addDisconnectedListener(ctx -> cause.complete(ctx.getCause())).buildBlocking();
      client.connect();
      gw.terminate();
      Throwable t = cause.get(15, TimeUnit.SECONDS);
      assertThat(t).isInstanceOf(Mqtt5DisconnectException.class);
      assertThat(((Mqtt5DisconnectException) t).getMqttMessage().getReasonCode()).isEqualTo(Mqtt5DisconnectReasonCode.SERVER_SHUTTING_DOWN);
      assertThat(gw.waitForExit(Duration.ofSeconds(15))).as(gw.output()).isEqualTo(0);
      assertThat(gw.awaitLine("Estuary stopped", Duration.ofSeconds(5))).as(gw.output()).isTrue();
    }
  }

  @Test
  void port_in_use_fails_with_a_clear_message_and_nonzero_exit(@TempDir Path dir) throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      Path conf = GatewayProcess.config(dir, "listeners.tcp.default.bind = \"127.0.0.1:" + taken.getLocalPort() + "\"\n");
      try (GatewayProcess gw = GatewayProcess.start(conf, Map.of())) {
        Integer code = gw.waitForExit(Duration.ofSeconds(60));
        assertThat(code).as(gw.output()).isNotNull().isNotZero();
        assertThat(gw.output()).contains("cannot bind 127.0.0.1:" + taken.getLocalPort());
      }
    }
  }

  @Test
  void invalid_config_names_the_key_and_exits_2(@TempDir Path dir) throws Exception {
    try (GatewayProcess gw = GatewayProcess.start(GatewayProcess.config(dir, ""), Map.of("ESTUARY_MQTT__MAX_QOS_ALLOWED", "7"))) {
      assertThat(gw.waitForExit(Duration.ofSeconds(60))).isEqualTo(2);
      assertThat(gw.output()).contains("mqtt.max_qos_allowed = 7").contains("expected 0, 1 or 2");
    }
  }
}
