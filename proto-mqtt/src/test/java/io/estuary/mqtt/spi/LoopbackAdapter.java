package io.estuary.mqtt.spi;

import io.estuary.api.AdapterConfig;
import io.estuary.api.AdapterStatus;
import io.estuary.api.BrokerSession;
import io.estuary.api.ClientInfo;
import io.estuary.api.CloseReason;
import io.estuary.api.Delivery;
import io.estuary.api.DeliverySink;
import io.estuary.api.GatewayContext;
import io.estuary.api.ProtocolAdapter;
import io.estuary.api.ProtocolAdapterFactory;
import io.estuary.api.SessionOptions;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A test-only protocol whose "devices" live in the test JVM: proves the SPI without any transport. */
final class LoopbackAdapter implements ProtocolAdapter {
  static volatile LoopbackAdapter last;
  final GatewayContext context;
  final AdapterConfig config;

  LoopbackAdapter(AdapterConfig config, GatewayContext context) {
    this.config = config;
    this.context = context;
    last = this;
  }

  static final class Factory implements ProtocolAdapterFactory {
    @Override
    public String protocol() {
      return "loopback";
    }

    @Override
    public ProtocolAdapter create(AdapterConfig config, GatewayContext context) {
      return new LoopbackAdapter(config, context);
    }
  }

  @Override
  public CompletionStage<Void> start() {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletionStage<Void> stop(Duration grace) {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public AdapterStatus status() {
    return AdapterStatus.RUNNING;
  }

  /** One device: its own serial executor, deliveries collected, closes recorded; acks are manual. */
  final class Device implements DeliverySink, AutoCloseable {
    final ExecutorService loop = Executors.newSingleThreadExecutor();
    final BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
    final CompletableFuture<CloseReason> closed = new CompletableFuture<>();
    volatile Thread loopThread;
    volatile boolean wrongThread;
    BrokerSession session;

    Device open(String clientId, String username, SessionOptions options) throws Exception {
      loop.execute(() -> loopThread = Thread.currentThread());
      session = context.openSession(new ClientInfo(clientId, username, "loopback", "loop:default", null, ""), options, this)
          .toCompletableFuture().get(5, TimeUnit.SECONDS);
      return this;
    }

    @Override
    public java.util.concurrent.Executor executor() {
      return loop;
    }

    @Override
    public int credits() {
      return 100;
    }

    @Override
    public void deliver(Delivery d) {
      wrongThread |= Thread.currentThread() != loopThread;
      deliveries.add(d);
    }

    @Override
    public void sessionClosed(CloseReason reason) {
      wrongThread |= Thread.currentThread() != loopThread;
      closed.complete(reason);
    }

    Delivery next() throws InterruptedException {
      return deliveries.poll(5, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
      loop.shutdownNow();
    }
  }
}
