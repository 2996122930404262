package io.estuary.stomp.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.estuary.stomp.codec.Command;
import io.estuary.stomp.codec.StompFrame;
import io.estuary.testkit.TestGateway;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code estuary ctl trace start client=ID} writes every STOMP frame in and out of that client (command and
 * headers, the passcode masked, the body as its size) and nothing of another client.
 */
@Timeout(60)
class StompTraceIT {
  static TestGateway gw;

  @BeforeAll
  static void start() {
    gw = StompGateways.start("authentication.users = [{username = alice, password = secret}]");
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  @Test
  void a_traced_client_has_its_frames_in_both_directions_in_the_trace_and_another_client_has_none() throws Exception {
    Path file = gw.startTrace("st-traced");
    try (RawStompClient c = new RawStompClient(StompGateways.tcp(gw));
        RawStompClient other = new RawStompClient(StompGateways.tcp(gw))) {
      assertThat(other.connect("client-id", "st-untraced", "login", "alice", "passcode", "secret").command())
          .isEqualTo(Command.CONNECTED);
      assertThat(c.connect("client-id", "st-traced", "login", "alice", "passcode", "secret").command())
          .isEqualTo(Command.CONNECTED);
      c.write("SUBSCRIBE\nid:0\ndestination:tr/t\nreceipt:s\n\n\0");
      assertThat(c.next().header("receipt-id")).isEqualTo("s");
      other.write("SEND\ndestination:tr/t\n\nsecret-body\0");
      StompFrame m = c.next();
      assertThat(m.command()).isEqualTo(Command.MESSAGE);
      c.write("DISCONNECT\nreceipt:bye\n\n\0");
      assertThat(c.next().header("receipt-id")).isEqualTo("bye");
      await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(file).contains("RECEIPT receipt-id=bye"));
    } finally {
      gw.stopTrace("st-traced");
    }
    List<String> lines = Files.readAllLines(file);
    assertThat(lines).as("%s", lines)
        .anyMatch(l -> l.contains("stomp IN  st-traced CONNECT accept-version=1.2 host=localhost client-id=st-traced"
            + " login=alice passcode=****** body=0B"))
        .anyMatch(l -> l.contains("stomp OUT st-traced CONNECTED") && l.contains(" version=1.2"))
        .anyMatch(l -> l.contains("stomp IN  st-traced SUBSCRIBE id=0 destination=tr/t receipt=s body=0B"))
        .anyMatch(l -> l.contains("stomp OUT st-traced RECEIPT receipt-id=s"))
        .anyMatch(l -> l.contains("stomp OUT st-traced MESSAGE") && l.contains("destination=tr/t")
            && l.endsWith("body=11B"))
        .anyMatch(l -> l.contains("stomp IN  st-traced DISCONNECT receipt=bye"))
        .noneMatch(l -> l.contains("untraced") || l.contains("secret"));
  }

  @Test
  void the_stomp_listing_shows_the_stomp_version_beside_the_client_fields() throws Exception {
    try (RawStompClient c = new RawStompClient(StompGateways.tcp(gw))) {
      assertThat(c.connect("client-id", "st-listed", "login", "alice", "passcode", "secret").command())
          .isEqualTo(Command.CONNECTED);
      String body = Http.get(gw, "/api/v5/gateways/stomp/clients/st-listed");
      assertThat(body).contains("\"clientid\":\"st-listed\"").contains("\"stomp_version\":\"1.2\"")
          .contains("\"proto_name\":\"STOMP\"");
    }
  }

  /** The management API with the test key. */
  static final class Http {
    static String get(TestGateway gw, String path) throws Exception {
      java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
          java.net.http.HttpRequest.newBuilder(
                  java.net.URI.create("http://127.0.0.1:" + gw.apiAddress().getPort() + path))
              .header("Authorization", TestGateway.apiAuthorization()).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      return r.body();
    }
  }
}
