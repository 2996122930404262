package io.estuary.cf;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.api.limits.Rate;
import io.estuary.testkit.CountingCounter;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.elements.RawData;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.junit.jupiter.api.Test;

/**
 * {@link LimitedConnector#udp}: a real UDP socket whose datagrams meet the limiter as soon as they are read, once
 * each — what passes reaches the receiver, what does not is counted and never becomes Californium's {@link RawData}.
 */
class ScreenedUdpConnectorTest {
  @Test
  void datagrams_over_their_source_rate_are_counted_once_and_never_reach_the_receiver() throws Exception {
    CountingCounter dropped = new CountingCounter();
    SourceLimiter limiter = new SourceLimiter("udp:test", Rate.parse("2/h"), 10, dropped);
    LimitedConnector c = LimitedConnector.udp(new InetSocketAddress("127.0.0.1", 0),
        new Configuration(UdpConfig.DEFINITIONS), limiter);
    BlockingQueue<RawData> received = new LinkedBlockingQueue<>();
    c.setRawDataReceiver(received::add);
    c.start();
    try (DatagramSocket device = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      for (int i = 0; i < 5; i++) {
        device.send(new DatagramPacket(new byte[] {(byte) i}, 1, c.getAddress()));
      }
      RawData first = received.poll(5, TimeUnit.SECONDS);
      RawData second = received.poll(5, TimeUnit.SECONDS);
      assertThat(first).isNotNull();
      assertThat(second).isNotNull();
      assertThat(first.getBytes()).containsExactly(0);
      assertThat(second.getBytes()).containsExactly(1);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (dropped.count() < 3 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(dropped.count()).as("the three datagrams over 2/h, each counted once").isEqualTo(3.0);
      assertThat(received).isEmpty();
    } finally {
      c.destroy();
    }
  }
}
