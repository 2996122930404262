package io.estuary.stomp.channel;

import io.estuary.api.Delivery;
import io.estuary.api.DeliveryId;
import io.estuary.api.Message;
import io.estuary.api.Payload;
import io.estuary.api.Subscription;
import io.estuary.stomp.StompConfig;
import io.estuary.stomp.codec.Command;
import io.estuary.stomp.codec.FrameLimits;
import io.estuary.stomp.codec.StompFrame;
import io.estuary.testkit.FakeContext;
import io.estuary.testkit.FakeSession;
import io.estuary.testkit.MutableClock;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/** A channel on the test kit's fakes, driven frame by frame on the test's thread. */
final class ChannelFixture {
  final MutableClock clock = new MutableClock();
  final FakeContext ctx = new FakeContext("stomp", clock);
  final RecordingTransport out = new RecordingTransport();
  final StompChannel channel;
  private long deliveryIds;

  ChannelFixture() {
    this(config(""));
  }

  ChannelFixture(StompConfig config) {
    channel = new StompChannel(config, ctx, out, new StompMetrics(ctx.metrics()), Runnable::run, "tcp:default",
        new InetSocketAddress("127.0.0.1", 40000), null);
    channel.start();
  }

  /** The defaults of reference.conf with {@code deadLetter} as dead-letter topic. */
  static StompConfig config(String deadLetter) {
    return config(deadLetter, 32, 5);
  }

  static StompConfig config(String deadLetter, int maxUnacked, int maxRedeliveries) {
    return new StompConfig(FrameLimits.EMQX_DEFAULTS, true, "guest", "guest", Duration.ofSeconds(10),
        Duration.ofSeconds(10), 2.0, Duration.ofSeconds(30), "", 100, maxUnacked, 1000, maxRedeliveries, deadLetter, 0, 1,
        2, 3, Duration.ofHours(2), List.of());
  }

  static StompFrame frame(Command c, String... headers) {
    StompFrame.Builder b = StompFrame.builder(c);
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return b.build();
  }

  void in(Command c, String... headers) {
    channel.handleFrame(frame(c, headers));
  }

  StompFrame connect(String... headers) {
    channel.handleFrame(frame(Command.CONNECT, headers));
    return out.last();
  }

  FakeSession session() {
    return ctx.lastSession();
  }

  /** Delivers a message to the core subscription of {@code filter}, as the broker would. */
  Delivery deliver(String filter, String body, int qos) {
    int coreId = session().subscribed.stream().filter(s -> s.filter().value().equals(filter))
        .mapToInt(Subscription::subscriptionId).reduce((a, b) -> b).orElseThrow();
    Delivery d = new Delivery(new DeliveryId(qos == 0 ? 0 : ++deliveryIds),
        new Message(filter.replace("#", "x").replace("+", "x"), Payload.utf8(body), qos, false, null, 0), false, false,
        List.of(coreId));
    channel.deliver(d);
    return d;
  }
}
