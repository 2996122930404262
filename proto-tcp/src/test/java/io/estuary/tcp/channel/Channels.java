package io.estuary.tcp.channel;

import io.estuary.tcp.TcpConfig;
import io.estuary.tcp.TcpConfig.Identity;
import io.estuary.tcp.TcpConfig.IdentitySource;
import io.estuary.tcp.codec.Framing;
import io.estuary.testkit.FakeContext;
import io.estuary.testkit.MutableClock;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Test fixture: a channel on a {@link FakeContext}, its actions collected, everything on the test's thread. */
final class Channels {
  final FakeContext context = new FakeContext("tcp", new MutableClock());
  final List<Action> actions = new ArrayList<>();
  final InetSocketAddress peer = new InetSocketAddress("192.0.2.7", 40001);
  TcpConfig config = config("tcp/%c/up", "tcp/%c/dn", 0, 0, true);

  static TcpConfig config(String up, String dn, int upQos, int dnQos, boolean clean) {
    return new TcpConfig(up, dn, upQos, dnQos, 65535, Duration.ofSeconds(30), clean, Duration.ofHours(2), 1000, List.of());
  }

  static TcpConfig.Listener listener(Framing framing, Identity identity) {
    return new TcpConfig.Listener("tcp", "default", new InetSocketAddress("127.0.0.1", 0), 100, false, Duration.ofSeconds(3),
        null, framing, identity, Duration.ofSeconds(60));
  }

  static Identity identity(IdentitySource source) {
    return new Identity(source, Pattern.compile("ID=(\\w+)"), 1, 4, true, false);
  }

  EmqxChannel emqx() {
    EmqxChannel c = new EmqxChannel(context, config, listener(null, null), new TcpMetrics(context.metrics()),
        new DropLog(context.clock(), 10_000), Runnable::run, actions::add);
    c.start(peer, null);
    return c;
  }

  RawChannel raw(Framing framing, Identity identity, String cn) {
    RawChannel c = new RawChannel(context, config, listener(framing, identity), new TcpMetrics(context.metrics()),
        new DropLog(context.clock(), 10_000), Runnable::run, actions::add);
    c.start(peer, cn);
    return c;
  }

  /** The bytes of every Send / SendThenClose so far, as hex strings. */
  List<String> sent() {
    List<String> out = new ArrayList<>();
    for (Action a : actions) {
      if (a instanceof Action.Send s) {
        out.add(io.estuary.tcp.codec.Hex.of(s.bytes()));
      } else if (a instanceof Action.SendThenClose s) {
        out.add(io.estuary.tcp.codec.Hex.of(s.bytes()));
      }
    }
    return out;
  }

  boolean closed() {
    return actions.stream().anyMatch(a -> a instanceof Action.Close || a instanceof Action.SendThenClose);
  }
}
