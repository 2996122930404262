package io.estuary.stomp.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.stomp.codec.Command;
import io.estuary.stomp.codec.StompFrame;
import io.estuary.testkit.TestGateway;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Malformed, oversized and out-of-order frames on a real socket: ERROR with a message, then close. */
@Timeout(60)
class StompRawIT {
  static TestGateway gw;

  @BeforeAll
  static void start() {
    gw = StompGateways.start("gateway.stomp.heartbeat { send = 200ms, receive = 200ms, multiplier = 1.5 }");
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  private RawStompClient client() {
    return new RawStompClient(StompGateways.tcp(gw));
  }

  @Test
  void connects_sends_and_receives_its_own_message_with_a_nul_in_the_body() {
    try (RawStompClient c = client()) {
      assertThat(c.connect().command()).isEqualTo(Command.CONNECTED);
      c.write("SUBSCRIBE\nid:0\ndestination:raw/t\nreceipt:s\n\n\0");
      assertThat(c.next().header("receipt-id")).isEqualTo("s");
      c.write("SEND\ndestination:raw/t\ncontent-length:3\n\na\0b\0");
      StompFrame m = c.next();
      assertThat(m.command()).isEqualTo(Command.MESSAGE);
      assertThat(m.body().toByteArray()).containsExactly('a', 0, 'b');
      assertThat(m.header("destination")).isEqualTo("raw/t");
    }
  }

  @Test
  void a_malformed_frame_gets_error_and_the_connection_is_closed() {
    try (RawStompClient c = client()) {
      c.connect();
      c.write("SEND\nno colon here\n\n\0");
      StompFrame e = c.next();
      assertThat(e.command()).isEqualTo(Command.ERROR);
      assertThat(e.header("message")).contains("colon");
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void an_unknown_command_gets_error_and_close() {
    try (RawStompClient c = client()) {
      c.write("HELLO\n\n\0");
      assertThat(c.next().header("message")).contains("unknown command");
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void a_body_over_max_body_length_gets_error_and_close_and_is_counted() {
    double before = gw.metrics().counter("stomp.frames.refused", "reason", "body_too_long").count();
    try (RawStompClient c = client()) {
      c.connect();
      c.write("SEND\ndestination:t\n\n" + "x".repeat(9000) + "\0");
      assertThat(c.next().header("message")).contains("body longer than 8192");
      assertThat(c.closedByServer()).isTrue();
    }
    assertThat(gw.metrics().counter("stomp.frames.refused", "reason", "body_too_long").count()).isEqualTo(before + 1);
  }

  @Test
  void too_many_headers_and_a_too_long_header_are_refused() {
    try (RawStompClient c = client()) {
      c.connect();
      c.write("SEND\n" + "h:v\n".repeat(11) + "\n\0");
      assertThat(c.next().header("message")).contains("more than 10 headers");
      assertThat(c.closedByServer()).isTrue();
    }
    try (RawStompClient c = client()) {
      c.connect();
      c.write("SEND\nh:" + "v".repeat(2000) + "\n\n\0");
      assertThat(c.next().header("message")).contains("header line longer");
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void a_frame_before_connect_gets_error_and_close() {
    try (RawStompClient c = client()) {
      c.write("SUBSCRIBE\nid:0\ndestination:t\n\n\0");
      StompFrame e = c.next();
      assertThat(e.command()).isEqualTo(Command.ERROR);
      assertThat(e.header("message")).contains("expected CONNECT");
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void a_second_connect_gets_error_and_close() {
    try (RawStompClient c = client()) {
      c.connect();
      c.write("CONNECT\naccept-version:1.2\n\n\0");
      assertThat(c.next().header("message")).contains("already connected");
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void a_client_that_stops_heart_beating_is_closed_with_error_and_the_server_beats_meanwhile() {
    try (RawStompClient c = client()) {
      StompFrame connected = c.connect("heart-beat", "200,200");
      assertThat(connected.header("heart-beat")).isEqualTo("200,200");
      long start = System.nanoTime();
      StompFrame e = c.next();
      assertThat(e.command()).isEqualTo(Command.ERROR);
      assertThat(e.header("message")).contains("heart-beat timeout");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
      assertThat(c.heartBeats).as("the server's heart-beats").isPositive();
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void a_client_that_keeps_heart_beating_stays_connected() throws Exception {
    try (RawStompClient c = client()) {
      c.connect("heart-beat", "200,0");
      for (int i = 0; i < 10; i++) {
        Thread.sleep(100); // the client's own heart-beat pace, not a synchronisation
        c.write("\n");
      }
      c.write("DISCONNECT\nreceipt:bye\n\n\0");
      assertThat(c.next().header("receipt-id")).isEqualTo("bye");
    }
  }
}
