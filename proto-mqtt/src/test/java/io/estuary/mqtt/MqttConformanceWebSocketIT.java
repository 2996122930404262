package io.estuary.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.testkit.TestGateway;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * MQTT 5.0 chapter 6 (MQTT over WebSocket) with the JDK's WebSocket client, which lets a test choose the frames:
 * docs/mqtt.md, section "Conformance". Each test names the statement ids it covers.
 */
@Timeout(60)
class MqttConformanceWebSocketIT {
  /** CONNECT, MQTT 5, clean start, keep alive 60, no properties, client id "ws". */
  static final byte[] CONNECT = {0x10, 15, 0, 4, 'M', 'Q', 'T', 'T', 5, 2, 0, 60, 0, 0, 2, 'w', 's'};
  static TestGateway gw;

  @BeforeAll
  static void start() {
    gw = TestGateway.builder().config("listeners.ws.default.enable = true").start();
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  /** Collects the binary data the server sends and how the connection ended. */
  static final class Peer implements WebSocket.Listener {
    final ByteArrayOutputStream received = new ByteArrayOutputStream();
    final CompletableFuture<String> ended = new CompletableFuture<>();

    synchronized byte[] bytes() {
      return received.toByteArray();
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
      byte[] b = new byte[data.remaining()];
      data.get(b);
      synchronized (this) {
        received.writeBytes(b);
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
      ended.complete("close " + statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      ended.complete("error " + error);
    }
  }

  static WebSocket open(Peer peer) {
    URI uri = URI.create("ws://127.0.0.1:" + gw.mqttPort("ws") + "/mqtt");
    return HttpClient.newHttpClient().newWebSocketBuilder().subprotocols("mqtt").buildAsync(uri, peer).join();
  }

  @Test
  void the_server_selects_the_mqtt_subprotocol() { // MQTT-6.0.0-4
    Peer peer = new Peer();
    WebSocket ws = open(peer);
    assertThat(ws.getSubprotocol()).isEqualTo("mqtt");
    ws.abort();
  }

  @Test
  void packets_split_over_frames_and_sharing_a_frame_are_read() { // MQTT-6.0.0-2
    Peer peer = new Peer();
    WebSocket ws = open(peer);
    ws.sendBinary(ByteBuffer.wrap(CONNECT, 0, 5), true).join(); // a CONNECT over two frames
    ws.sendBinary(ByteBuffer.wrap(CONNECT, 5, CONNECT.length - 5), true).join();
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(java.util.HexFormat.of().formatHex(peer.bytes())).as("ended: %s", peer.ended.getNow("no")).startsWith("20"));
    int connack = peer.bytes().length;
    ws.sendBinary(ByteBuffer.wrap(new byte[] {(byte) 0xC0, 0, (byte) 0xC0}), true).join(); // one and a half PINGREQs
    ws.sendBinary(ByteBuffer.wrap(new byte[] {0}), true).join(); // the rest of the second
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(java.util.HexFormat.of().formatHex(Arrays.copyOfRange(peer.bytes(), connack, peer.bytes().length)))
            .as("two PINGRESPs").isEqualTo("d000d000"));
    ws.abort();
  }

  @Test
  void a_text_frame_closes_the_connection() throws Exception { // MQTT-6.0.0-1
    Peer peer = new Peer();
    WebSocket ws = open(peer);
    ws.sendBinary(ByteBuffer.wrap(CONNECT), true).join();
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> peer.bytes().length > 0);
    ws.sendText("PINGREQ as text", true);
    assertThat(peer.ended.get(5, TimeUnit.SECONDS)).as("the server ended the connection").isNotNull();
  }
}
