package io.estuary.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import io.estuary.testkit.TestGateway;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue #13's per-client rates on the TCP listener ({@code messages_rate}, {@code bytes_rate}, EMQX's names): a
 * device that writes everything at once is read at the rate — the listener stops reading while it is over it — and
 * every frame arrives, in order.
 */
@Timeout(60)
class TcpRatesIT {

  @Test
  void an_emqx_device_over_messages_rate_is_read_at_the_rate_and_loses_nothing() throws Exception {
    int count = 100;
    int rate = 20;
    try (TestGateway gw = TestGateway.builder().adapter(new TcpAdapterFactory()).config(EmqxTcpIT.BIND
        + "gateway.tcp.listeners.tcp.default.messages_rate = \"" + rate + "/s\"\n").start()) {
      List<String> payloads = Collections.synchronizedList(new ArrayList<>());
      List<Long> arrivals = subscribe(gw, "tcp/abcd/up", payloads);
      try (RawDevice d = RawDevice.connect(gw.listener("tcp", "tcp:default"))) {
        d.writeHex(EmqxTcpIT.CONNECT);
        assertThat(d.readHex(23)).isEqualTo(EmqxTcpIT.CONNACK_OK);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int i = 0; i < count; i++) {
          byte[] p = ("m" + i).getBytes(StandardCharsets.UTF_8);
          all.write(new byte[] {0x30, 0, (byte) p.length});
          all.write(p);
        }
        d.write(all.toByteArray()); // every DATATRANS in one write: the listener has them all before the first pause
        await("every frame published").atMost(Duration.ofSeconds(20)).until(() -> arrivals.size() == count);
        int from = count / 2; // the first `rate` ride the bucket's burst; measured well after it
        double seconds = (arrivals.get(count - 1) - arrivals.get(from)) / 1e9;
        double measured = (count - 1 - from) / seconds;
        System.out.printf("TcpRatesIT messages_rate %d/s: frames %d..%d in %.2f s = %.1f/s%n", rate, from, count - 1,
            seconds, measured);
        assertThat(measured).as("measured frame rate after the burst").isBetween(rate * 0.6, rate * 1.25);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < count; i++) {
          expected.add("m" + i);
        }
        assertThat(payloads).as("nothing lost, in order").containsExactlyElementsOf(expected);
        assertThat(gw.context("tcp").metrics().counter("messages.received").count()).isEqualTo(count);
        long pauses = (long) gw.context("tcp").metrics().counter("reads.paused", "reason", "messages_rate").count();
        // one pause per frame after the burst of `rate`, give or take the refill while the burst was handled
        assertThat(pauses).as("tcp.reads.paused{reason=messages_rate}").isBetween((long) (count - rate) / 2, (long) count - rate);
        assertThat(gw.context("tcp").metrics().counter("reads.paused", "reason", "bytes_rate").count()).isZero();
        d.writeHex("40");
        assertThat(d.readHex(1)).as("PING still answered: the connection is alive").isEqualTo("50");
      }
    }
  }

  @Test
  void a_line_device_over_bytes_rate_is_read_at_the_rate_and_loses_nothing() throws Exception {
    int count = 40;
    int kib = 8;
    try (TestGateway gw = TestGateway.builder().adapter(new TcpAdapterFactory()).config(EmqxTcpIT.BIND + """
        gateway.tcp.listeners.tcp.default { framing { type = line, max_frame_length = 4096 }, bytes_rate = "%dKB/s" }
        """.formatted(kib)).start()) {
      List<String> payloads = Collections.synchronizedList(new ArrayList<>());
      List<Long> arrivals = subscribe(gw, "tcp/127.0.0.1/up", payloads);
      try (RawDevice d = RawDevice.connect(gw.listener("tcp", "tcp:default"))) {
        await("the device's session (named by its address)").atMost(Duration.ofSeconds(5))
            .until(() -> gw.session("127.0.0.1") != null);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int i = 0; i < count; i++) {
          byte[] line = new byte[1024]; // 1023 bytes of text + '\n': 1 KiB per frame on the wire
          Arrays.fill(line, (byte) ('a' + i % 26));
          line[1023] = '\n';
          all.write(line);
        }
        d.write(all.toByteArray());
        await("every line published").atMost(Duration.ofSeconds(30)).until(() -> arrivals.size() == count);
        int burst = kib; // one period's worth: 8 lines of 1 KiB
        double seconds = (arrivals.get(count - 1) - arrivals.get(burst)) / 1e9;
        double measured = (count - 1 - burst) / seconds;
        System.out.printf("TcpRatesIT bytes_rate %dKB/s: %d KiB after the burst in %.2f s = %.1f KiB/s%n", kib,
            count - 1 - burst, seconds, measured);
        assertThat(measured).as("measured KiB/s after the burst").isBetween(kib * 0.6, kib * 1.25);
        for (int i = 0; i < count; i++) {
          assertThat(payloads.get(i)).as("line %d in order and whole", i).hasSize(1023).startsWith(String.valueOf((char) ('a' + i % 26)));
        }
        assertThat(gw.context("tcp").metrics().counter("messages.received").count()).isEqualTo(count);
        assertThat(gw.context("tcp").metrics().counter("reads.paused", "reason", "bytes_rate").count()).isPositive();
        assertThat(gw.context("tcp").metrics().counter("reads.paused", "reason", "messages_rate").count()).isZero();
      }
    }
  }

  /** A QoS 1 MQTT subscriber; returns the arrival times (nanos), in order, and collects the payloads. */
  private static List<Long> subscribe(TestGateway gw, String filter, List<String> payloads) throws Exception {
    List<Long> arrivals = Collections.synchronizedList(new ArrayList<>());
    Mqtt5AsyncClient sub = Mqtt5Client.builder().identifier("sub").serverHost("127.0.0.1").serverPort(gw.mqttPort())
        .buildAsync();
    sub.connect().get();
    sub.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).callback(p -> {
      payloads.add(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8));
      arrivals.add(System.nanoTime());
    }).send().get();
    return arrivals;
  }
}
