package io.estuary.stomp.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.estuary.stomp.codec.Command;
import io.estuary.stomp.codec.StompFrame;
import io.estuary.testkit.TestGateway;
import io.estuary.testkit.TestPki;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** STOMP over TLS (PEM files from the test PKI) and over WebSocket (subprotocol v12.stomp, path /ws). */
@Timeout(60)
class StompTransportsIT {
  @TempDir
  static Path dir;
  static TestPki pki;
  static TestGateway gw;

  @BeforeAll
  static void start() {
    pki = TestPki.create(dir, "stomp-ca");
    TestPki.Issued server = pki.issue("localhost", "localhost", "127.0.0.1");
    gw = StompGateways.start("""
        gateway.stomp.listeners.ssl.default {
          enable = true
          ssl_options { certfile = "%s", keyfile = "%s" }
        }
        """.formatted(server.certFile().toString().replace("\\", "/"), server.keyFile().toString().replace("\\", "/")));
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  @Test
  void a_tls_client_trusting_the_ca_connects_subscribes_and_receives() throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", pki.ca().certificate());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    InetSocketAddress at = gw.listener("stomp", "ssl:default");
    SSLSocket socket = (SSLSocket) ssl.getSocketFactory().createSocket("localhost", at.getPort());
    socket.startHandshake();
    assertThat(socket.getSession().getProtocol()).isIn("TLSv1.3", "TLSv1.2");
    try (RawStompClient c = new RawStompClient(socket)) {
      assertThat(c.connect().command()).isEqualTo(Command.CONNECTED);
      c.write("SUBSCRIBE\nid:0\ndestination:tls/t\nreceipt:r\n\n\0");
      assertThat(c.next().command()).isEqualTo(Command.RECEIPT);
      c.write("SEND\ndestination:tls/t\n\nsecret\0");
      assertThat(c.next().body().asUtf8()).isEqualTo("secret");
    }
  }

  @Test
  void stomp_py_connects_over_tls() {
    List<String> lines = StompPy.run(gw.listener("stomp", "ssl:default"), "send", "tls/py", "1", "--ssl").done();
    assertThat(lines).contains("CONNECTED");
  }

  @Test
  void a_browser_style_websocket_client_speaks_stomp_with_subprotocol_v12_stomp() throws Exception {
    InetSocketAddress at = gw.listener("stomp", "ws:default");
    List<String> received = new CopyOnWriteArrayList<>();
    StringBuilder partial = new StringBuilder();
    WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder().subprotocols("v12.stomp")
        .buildAsync(URI.create("ws://127.0.0.1:" + at.getPort() + "/ws"), new WebSocket.Listener() {
          @Override
          public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
              received.add(partial.toString());
              partial.setLength(0);
            }
            w.request(1);
            return null;
          }
        }).join();
    assertThat(ws.getSubprotocol()).isEqualTo("v12.stomp");
    ws.sendText("CONNECT\naccept-version:1.2\nhost:localhost\nheart-beat:0,0\n\n\0", true).join();
    await().atMost(Duration.ofSeconds(10)).until(() -> received.stream().anyMatch(f -> f.startsWith("CONNECTED")));
    ws.sendText("SUBSCRIBE\nid:sub-0\ndestination:ws/t\nreceipt:r\n\n\0", true).join();
    await().atMost(Duration.ofSeconds(10)).until(() -> received.stream().anyMatch(f -> f.startsWith("RECEIPT")));
    ws.sendText("SEND\ndestination:ws/t\ncontent-type:text/plain\n\nhello browser\0", true).join();
    await().atMost(Duration.ofSeconds(10)).until(() -> received.stream().anyMatch(f -> f.startsWith("MESSAGE")));
    String message = received.stream().filter(f -> f.startsWith("MESSAGE")).findFirst().orElseThrow();
    assertThat(message).contains("destination:ws/t\n").contains("subscription:sub-0\n").endsWith("hello browser\0");
    ws.sendClose(WebSocket.NORMAL_CLOSURE, "").join();
  }

  @Test
  void a_connect_past_max_connections_gets_an_error_frame_and_the_connection_is_closed() {
    try (TestGateway small = StompGateways.start("gateway.stomp.listeners.tcp.default.max_connections = 1")) {
      try (RawStompClient first = new RawStompClient(StompGateways.tcp(small))) {
        assertThat(first.connect().command()).isEqualTo(Command.CONNECTED);
        try (RawStompClient second = new RawStompClient(StompGateways.tcp(small))) {
          StompFrame refused = second.connect();
          assertThat(refused.command()).isEqualTo(Command.ERROR);
          assertThat(refused.header("message")).isEqualTo("too many connections on this listener, try again later");
          assertThat(second.closedByServer()).isTrue();
        }
        assertThat(small.metrics().counter("stomp.connections.rejected").count()).isEqualTo(1.0);
      }
    }
  }

  @Test
  void a_connection_over_max_conn_rate_is_closed_at_accept_and_counted() {
    try (TestGateway small = StompGateways.start("gateway.stomp.listeners.tcp.default.max_conn_rate = \"2/m\"")) {
      try (RawStompClient a = new RawStompClient(StompGateways.tcp(small));
          RawStompClient b = new RawStompClient(StompGateways.tcp(small))) {
        assertThat(a.connect().command()).isEqualTo(Command.CONNECTED);
        assertThat(b.connect().command()).isEqualTo(Command.CONNECTED);
        try (RawStompClient third = new RawStompClient(StompGateways.tcp(small))) {
          assertThat(third.closedByServer()).as("closed at accept, no frame").isTrue();
        }
        assertThat(small.metrics().counter("stomp.connections.rate_limited").count()).isEqualTo(1.0);
      }
    }
  }

  @Test
  void a_connection_that_never_completes_connect_gets_an_error_and_is_closed_at_idle_timeout() {
    try (TestGateway small = StompGateways.start("gateway.stomp.idle_timeout = 1s")) {
      for (String partial : new String[] {"", "CONNECT\naccept-version:1.2\n"}) {
        long start = System.nanoTime();
        try (RawStompClient c = new RawStompClient(StompGateways.tcp(small))) {
          if (!partial.isEmpty()) {
            c.write(partial); // a frame that never ends: the timer runs from the accept, not from the last byte
          }
          StompFrame error = c.next();
          assertThat(error.command()).isEqualTo(Command.ERROR);
          assertThat(error.header("message")).startsWith("no CONNECT within");
          assertThat(c.closedByServer()).isTrue();
        }
        java.time.Duration after = java.time.Duration.ofNanos(System.nanoTime() - start);
        assertThat(after).as("closed at the 1 s timeout").isBetween(java.time.Duration.ofMillis(900), java.time.Duration.ofSeconds(4));
      }
      assertThat(small.metrics().counter("stomp.idle.timeouts").count()).isEqualTo(2.0);
    }
  }
}
