package io.estuary.core.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.estuary.api.ClientInfo;
import io.estuary.api.hooks.RegisterModifiers;
import io.estuary.api.hooks.RegisterRequest;
import io.estuary.api.hooks.Verdict;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code webhooks.max_inflight} against a real HTTP service that holds its answers. */
class WebhookInflightTest {
  private final CountDownLatch release = new CountDownLatch(1);
  private final AtomicInteger received = new AtomicInteger();
  private final AtomicInteger events = new AtomicInteger();
  private HttpServer service;
  private WebhookPlugin plugin;

  @AfterEach
  void stop() {
    release.countDown();
    if (plugin != null) {
      plugin.stop();
    }
    if (service != null) {
      service.stop(0);
    }
  }

  private CompletableFuture<Verdict<RegisterModifiers>> register(String clientId) {
    ClientInfo c = new ClientInfo(clientId, "u", "mqtt", "tcp:default", new InetSocketAddress("127.0.0.1", 5000), "", null);
    return plugin.authOnRegister(new RegisterRequest(c, "p".getBytes(StandardCharsets.UTF_8), List.of(), null))
        .toCompletableFuture();
  }

  @Test
  void beyond_max_inflight_a_request_is_not_sent_and_the_hook_answers_as_for_a_failed_one() throws Exception {
    service = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    service.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    service.createContext("/", ex -> {
      received.incrementAndGet();
      try {
        release.await(20, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      byte[] ok = "{\"result\":\"ok\"}".getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, ok.length);
      ex.getResponseBody().write(ok);
      ex.close();
    });
    service.start();
    service.createContext("/events", ex -> { // another endpoint, answering at once
      events.incrementAndGet();
      byte[] ok = "{}".getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, ok.length);
      ex.getResponseBody().write(ok);
      ex.close();
    });
    URI endpoint = URI.create("http://127.0.0.1:" + service.getAddress().getPort() + "/hook");
    URI eventsUri = URI.create("http://127.0.0.1:" + service.getAddress().getPort() + "/events");
    plugin = new WebhookPlugin(List.of(new Webhook("auth_on_register", endpoint, true, false),
        new Webhook("on_client_offline", eventsUri, true, false)), Duration.ofSeconds(30), 0, Clock.systemUTC(), 2);
    CompletableFuture<Verdict<RegisterModifiers>> a = register("a");
    CompletableFuture<Verdict<RegisterModifiers>> b = register("b");
    await().atMost(Duration.ofSeconds(10)).until(() -> received.get() == 2); // both wait at the service
    Verdict<RegisterModifiers> c = register("c").get(5, TimeUnit.SECONDS);
    assertThat(c.isOk()).as("not sent: refused as a failed request is").isFalse();
    assertThat(plugin.refused()).isEqualTo(1);
    for (int i = 0; i < 2; i++) { // another endpoint has places of its own
      plugin.onEvent(new io.estuary.api.hooks.ClientEvent.Offline(
          new ClientInfo("e" + i, "u", "mqtt", "tcp:default", null, "", null), io.estuary.api.CloseReason.NORMAL));
    }
    assertThat(plugin.refused()).as("not refused: the saturated endpoint's places are its own").isEqualTo(1);
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5)).until(() -> events.get() == 2);
    assertThat(a).as("delivered while the saturated endpoint still holds its answers").isNotDone();
    release.countDown();
    assertThat(a.get(10, TimeUnit.SECONDS).isOk()).isTrue();
    assertThat(b.get(10, TimeUnit.SECONDS).isOk()).isTrue();
    assertThat(register("d").get(10, TimeUnit.SECONDS).isOk()).as("room again once answered").isTrue();
    assertThat(received.get()).isEqualTo(3);
    assertThat(plugin.refused()).isEqualTo(1);
  }
}
