package io.estuary.bench.mqtt.transport;

import io.estuary.bench.mqtt.DeliveryWindow;
import io.estuary.bench.mqtt.LoadConfig;
import io.estuary.bench.mqtt.PublisherTally;
import io.estuary.bench.mqtt.RunState;
import io.estuary.bench.mqtt.RunState.Phase;
import io.estuary.bench.mqtt.RunSummary;
import io.estuary.bench.mqtt.SubscriberTally;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One load run: connect and subscribe the subscribers, connect the publishers, publish through the
 * warm-up and the measured window, wait for messages still on their way, then read every client's
 * tally and aggregate. Called on the main thread, which owns the phases; blocking waits here are
 * bounded and never on an event loop.
 */
public final class LoadRun {

  private static final Logger LOG = LoggerFactory.getLogger(LoadRun.class);
  private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(30);
  /** The drain ends early once nothing has arrived for this long (and every QoS 1 PUBLISH is acked). */
  private static final long QUIET_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
  private static final long POLL_MILLIS = 20;

  private final LoadConfig config;
  private final Consumer<String> progress;
  private final RunState state = new RunState();
  private final List<MqttPublisher> publishers = new ArrayList<>();
  private final List<MqttSubscriber> subscribers = new ArrayList<>();

  private LoadRun(LoadConfig config, Consumer<String> progress) {
    this.config = config;
    this.progress = progress;
  }

  /**
   * Runs the load and returns its summary.
   *
   * @param progress receives a line per phase, for people watching
   * @throws LoadFailure when a client cannot connect or subscribe, or the broker drops one mid-run
   */
  public static RunSummary run(LoadConfig config, Consumer<String> progress) throws InterruptedException {
    return new LoadRun(config, progress).run();
  }

  private RunSummary run() throws InterruptedException {
    String runId = String.format(Locale.ROOT, "%06x", ThreadLocalRandom.current().nextInt(1 << 24));
    String prefix = "bench/" + runId;
    EventLoopGroup group = new NioEventLoopGroup(config.threads(), new DefaultThreadFactory("mqtt-load"));
    try {
      Bootstrap bootstrap = new Bootstrap()
          .group(group)
          .channel(NioSocketChannel.class)
          .option(ChannelOption.TCP_NODELAY, true)
          .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) SETUP_TIMEOUT.toMillis())
          .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024));
      DeliveryWindow.Plan plan = DeliveryWindow.Plan.of(config.topology(), config.publishers(), config.subscribers());
      boolean windowed = config.window() > 0;
      for (int j = 0; j < config.subscribers(); j++) {
        MqttSubscriber s = new MqttSubscriber(j, "bench-" + runId + "-s" + j,
            config.topology().subscribeFilter(prefix, j), config.qos(), config.publishers(), state,
            windowed ? plan : null, config.subscriberAckRate());
        subscribers.add(s);
        connect(bootstrap, s);
      }
      awaitReady(subscribers, "subscribe");
      for (int i = 0; i < config.publishers(); i++) {
        MqttPublisher p = new MqttPublisher(i, "bench-" + runId + "-p" + i,
            config.topology().publishTopic(prefix, i), config, state, plan.windows()[i]);
        publishers.add(p);
        connect(bootstrap, p);
      }
      awaitReady(publishers, "connect");
      if (windowed) {
        List<int[]> sources = config.topology().sources(config.publishers(), config.subscribers());
        for (int j = 0; j < subscribers.size(); j++) {
          subscribers.get(j).wakes(Arrays.stream(sources.get(j)).mapToObj(publishers::get).toList());
        }
      }
      progress.accept(String.format(Locale.ROOT, "connected %d publishers and %d subscribers to %s:%d (run %s)",
          publishers.size(), subscribers.size(), config.host(), config.port(), runId));

      publishers.forEach(MqttPublisher::start);
      if (!config.warmup().isZero()) {
        progress.accept("warm-up " + seconds(config.warmup()) + " s");
        sleepWatching(config.warmup().toNanos());
      }
      progress.accept("measuring " + seconds(config.duration()) + " s");
      long opened = System.nanoTime();
      state.enter(Phase.MEASURE);
      sleepWatching(config.duration().toNanos());
      state.enter(Phase.DRAIN);
      long closed = System.nanoTime();
      progress.accept("window closed, draining"); // scripts read the broker's CPU time between "measuring" and this
      publishers.forEach(MqttPublisher::stop);
      drain();
      RunSummary summary = RunSummary.of(config, (closed - opened) / 1e9, publisherSnapshots(), subscriberSnapshots());
      disconnectAll();
      return summary;
    } finally {
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
  }

  private void connect(Bootstrap bootstrap, MqttLoadClient client) {
    int maxPacket = config.payloadSize() + 1024; // topic and headers
    bootstrap.clone()
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new MqttDecoder(maxPacket), MqttEncoder.INSTANCE, client);
          }
        })
        .connect(config.host(), config.port())
        .addListener(f -> {
          if (!f.isSuccess()) {
            client.ready.completeExceptionally(
                new LoadFailure(client.role() + " cannot connect to " + config.host() + ":" + config.port() + ": " + f.cause()));
          }
        });
  }

  private static void awaitReady(List<? extends MqttLoadClient> clients, String what) throws InterruptedException {
    CompletableFuture<?>[] all = clients.stream().map(c -> c.ready).toArray(CompletableFuture[]::new);
    try {
      CompletableFuture.allOf(all).get(SETUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof LoadFailure f ? f : new LoadFailure(String.valueOf(cause.getMessage()));
    } catch (TimeoutException e) {
      long pending = clients.stream().filter(c -> !c.ready.isDone()).count();
      throw new LoadFailure(pending + " clients did not " + what + " within " + seconds(SETUP_TIMEOUT) + " s");
    }
  }

  /** Sleeps for the phase, failing fast when the broker drops a client. */
  private void sleepWatching(long nanos) throws InterruptedException {
    long end = System.nanoTime() + nanos;
    for (long left = nanos; left > 0; left = end - System.nanoTime()) {
      TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(POLL_MILLIS)));
      checkClients();
    }
  }

  /** Waits for messages still on their way: until all arrived, nothing came for a while, or the limit. */
  private void drain() throws InterruptedException {
    long deadline = System.nanoTime() + config.drain().toNanos();
    long lastCount = -1;
    long lastChange = System.nanoTime();
    while (System.nanoTime() < deadline) {
      checkClients();
      long received = subscribers.stream().mapToLong(s -> s.tally().received()).sum();
      boolean acked = config.qos() == 0 || publishers.stream().allMatch(p -> p.unacked() == 0);
      if (acked && received >= expectedDeliveries()) {
        return;
      }
      long now = System.nanoTime();
      if (received != lastCount) {
        lastCount = received;
        lastChange = now;
      } else if (acked && now - lastChange > QUIET_NANOS) {
        return;
      }
      TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
    }
    LOG.debug("drain limit {} reached", config.drain());
  }

  private long expectedDeliveries() {
    long sent = publishers.stream().mapToLong(p -> p.tally().sent()).sum();
    return sent * config.topology().deliveriesPerMessage(config.subscribers());
  }

  private void checkClients() {
    for (MqttLoadClient c : publishers) {
      failIfBroken(c);
    }
    for (MqttLoadClient c : subscribers) {
      failIfBroken(c);
    }
  }

  private static void failIfBroken(MqttLoadClient c) {
    String failure = c.failure();
    if (failure != null) {
      throw new LoadFailure(failure);
    }
  }

  private List<PublisherTally.Snapshot> publisherSnapshots() throws InterruptedException {
    List<PublisherTally.Snapshot> out = new ArrayList<>();
    for (MqttPublisher p : publishers) {
      out.add(onLoop(p, () -> p.tally().snapshot()));
    }
    return out;
  }

  private List<SubscriberTally.Snapshot> subscriberSnapshots() throws InterruptedException {
    List<SubscriberTally.Snapshot> out = new ArrayList<>();
    for (MqttSubscriber s : subscribers) {
      out.add(onLoop(s, () -> s.tally().snapshot()));
    }
    return out;
  }

  /** Takes a snapshot on the client's event loop, which owns the tally. */
  private static <T> T onLoop(MqttLoadClient client, Callable<T> task) throws InterruptedException {
    try {
      return client.ctx.executor().submit(task).get(SETUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new LoadFailure(client.role() + ": cannot read its tally: " + e);
    }
  }

  private void disconnectAll() {
    publishers.forEach(MqttLoadClient::disconnect);
    subscribers.forEach(MqttLoadClient::disconnect);
  }

  private static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.1f", d.toMillis() / 1000.0);
  }

  /** The run could not be carried out as asked (connect, subscribe, or a client dropped by the broker). */
  public static final class LoadFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    LoadFailure(String message) {
      super(message);
    }
  }
}
