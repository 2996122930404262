package io.estuary.bench.coap;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.californium.core.coap.CoAP.Type;
import org.eclipse.californium.core.coap.MessageObserverAdapter;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.AddressEndpointContext;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.util.ExecutorsUtil;
import org.eclipse.californium.elements.util.ProtocolScheduledExecutorService;

/**
 * Closed-loop CoAP publish load: {@code clients} endpoints (one UDP socket each, so one CoAP peer each),
 * each keeping {@code window} POSTs to {@code /ps/bench/<client>?clientid=bench-<client>} outstanding.
 * A NON slot whose request got no answer within {@code requestTimeout} is re-armed (counted as lost),
 * so a dropped datagram never stalls the loop; CON relies on Californium's retransmissions. Counts 2.04 answers inside the measured window.
 */
final class CoapLoad {
  /** What one run saw inside its measured window. */
  record Counts(long ok, long failed, long timedOut, long mqttReceived, double seconds) {
    double rate() {
      return ok / seconds;
    }
  }

  private final InetSocketAddress target;
  private final Type type;
  private final int clients;
  private final int window;
  private final byte[] payload;
  private final Configuration config;
  private final LongAdder ok = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder timedOut = new LongAdder();
  private final List<Slot> slots = new ArrayList<>();
  private volatile boolean running = true;

  CoapLoad(InetSocketAddress target, Type type, int clients, int window, int size, Configuration config) {
    this.target = target;
    this.type = type;
    this.clients = clients;
    this.window = window;
    this.payload = new byte[size];
    java.util.Arrays.fill(payload, (byte) 'x');
    this.config = config;
  }

  /** One outstanding request position of one client. */
  private final class Slot {
    final CoapEndpoint endpoint;
    final String path;
    final String query;
    final AtomicLong generation = new AtomicLong();
    volatile long sentNanos;
    volatile Request inFlight;

    Slot(CoapEndpoint endpoint, int client) {
      this.endpoint = endpoint;
      this.path = "ps/bench/" + client;
      this.query = "clientid=bench-" + client;
    }

    void fire() {
      if (!running) {
        return;
      }
      long gen = generation.incrementAndGet();
      Request r = Request.newPost();
      r.setType(type);
      r.getOptions().setUriPath(path).setUriQuery(query);
      r.setPayload(payload);
      r.setDestinationContext(new AddressEndpointContext(target));
      r.addMessageObserver(new MessageObserverAdapter() {
        @Override
        public void onResponse(Response response) {
          if (generation.get() == gen) {
            (response.isSuccess() ? ok : failed).increment();
            fire();
          }
        }

        @Override
        protected void failed() {
          if (generation.get() == gen) {
            failed.increment();
            fire();
          }
        }
      });
      sentNanos = System.nanoTime();
      inFlight = r;
      endpoint.sendRequest(r);
    }

    /**
     * Re-arms a slot whose NON request or response was lost (NON has no retransmission); a CON is left
     * to Californium's own retransmission and timeout, which end in {@code failed()}.
     */
    void checkStalled(long now, long timeoutNanos) {
      Request r = inFlight;
      if (running && type == Type.NON && r != null && now - sentNanos > timeoutNanos) {
        timedOut.increment();
        generation.incrementAndGet();
        r.cancel();
        fire();
      }
    }
  }

  /** Warm up, measure for {@code duration}, stop issuing, then release every endpoint. */
  Counts run(Duration warmup, Duration duration, Duration requestTimeout, java.util.function.LongSupplier mqtt)
      throws InterruptedException, java.io.IOException {
    ProtocolScheduledExecutorService main = ExecutorsUtil.newProtocolScheduledThreadPool(2, daemon("coap-load"));
    ScheduledExecutorService timers = Executors.newScheduledThreadPool(1, daemon("coap-load-timer"));
    List<CoapEndpoint> endpoints = new ArrayList<>();
    try {
      for (int c = 0; c < clients; c++) {
        CoapEndpoint ep = new CoapEndpoint.Builder().setConfiguration(config)
            .setInetSocketAddress(new InetSocketAddress("127.0.0.1", 0)).build();
        ep.setExecutor(main);
        ep.start();
        endpoints.add(ep);
        for (int w = 0; w < window; w++) {
          slots.add(new Slot(ep, c));
        }
      }
      long timeout = requestTimeout.toNanos();
      timers.scheduleAtFixedRate(() -> slots.forEach(s -> s.checkStalled(System.nanoTime(), timeout)),
          200, 200, TimeUnit.MILLISECONDS);
      slots.forEach(Slot::fire);
      Thread.sleep(warmup.toMillis()); // load phases are wall-clock by definition
      long ok0 = ok.sum();
      long failed0 = failed.sum();
      long timedOut0 = timedOut.sum();
      long mqtt0 = mqtt.getAsLong();
      long t0 = System.nanoTime();
      Thread.sleep(duration.toMillis());
      long t1 = System.nanoTime();
      Counts c = new Counts(ok.sum() - ok0, failed.sum() - failed0, timedOut.sum() - timedOut0,
          mqtt.getAsLong() - mqtt0, (t1 - t0) / 1e9);
      running = false;
      return c;
    } finally {
      running = false;
      for (CoapEndpoint ep : endpoints) {
        ep.destroy();
      }
      timers.shutdownNow();
      main.shutdownNow();
      main.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    AtomicLong n = new AtomicLong();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
