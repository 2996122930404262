package io.estuary.core.webhooks;

import static io.estuary.core.webhooks.WebhookServers.register;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.estuary.api.ClientInfo;
import io.estuary.api.CloseReason;
import io.estuary.api.hooks.ClientEvent;
import io.estuary.api.hooks.RegisterModifiers;
import io.estuary.api.hooks.Verdict;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code webhooks.max_inflight} against a real HTTP service that holds its answers. */
@Timeout(60)
class WebhookInflightTest {
  private final WebhookServers servers = new WebhookServers(Duration.ofSeconds(20));
  private final AtomicInteger received = new AtomicInteger();
  private final AtomicInteger events = new AtomicInteger();
  private WebhookPlugin plugin;

  @AfterEach
  void stop() {
    servers.close(plugin);
  }

  @Test
  void beyond_max_inflight_a_request_is_not_sent_and_the_hook_answers_as_for_a_failed_one() throws Exception {
    URI endpoint = servers.service(received, "{\"result\":\"ok\"}", true);
    // another endpoint of the same server, answering at once
    URI eventsUri = servers.endpoint(endpoint, "/events", events, "{}", false);
    plugin = new WebhookPlugin(List.of(new Webhook("auth_on_register", endpoint, true, false),
        new Webhook("on_client_offline", eventsUri, true, false)), Duration.ofSeconds(30), 0, Clock.systemUTC(), 2);
    CompletableFuture<Verdict<RegisterModifiers>> a = register(plugin, "a");
    CompletableFuture<Verdict<RegisterModifiers>> b = register(plugin, "b");
    await().atMost(Duration.ofSeconds(10)).until(() -> received.get() == 2); // both wait at the service
    Verdict<RegisterModifiers> c = register(plugin, "c").get(5, TimeUnit.SECONDS);
    assertThat(c.isOk()).as("not sent: refused as a failed request is").isFalse();
    assertThat(plugin.refused()).isEqualTo(1);
    for (int i = 0; i < 2; i++) { // another endpoint has places of its own
      plugin.onEvent(offline("e" + i));
    }
    assertThat(plugin.refused()).as("not refused: the saturated endpoint's places are its own").isEqualTo(1);
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5)).until(() -> events.get() == 2);
    assertThat(a).as("delivered while the saturated endpoint still holds its answers").isNotDone();
    servers.release();
    assertThat(a.get(10, TimeUnit.SECONDS).isOk()).isTrue();
    assertThat(b.get(10, TimeUnit.SECONDS).isOk()).isTrue();
    assertThat(register(plugin, "d").get(10, TimeUnit.SECONDS).isOk()).as("room again once answered").isTrue();
    assertThat(received.get()).isEqualTo(3);
    assertThat(plugin.refused()).isEqualTo(1);
  }

  /**
   * Endpoints registered (two hooks each), used and deregistered again leave no in-flight count behind: one is kept per
   * registered endpoint, dropped with its last registration, all at stop. An endpoint registered throughout keeps its
   * bound meanwhile.
   */
  @Test
  void deregistered_endpoints_leave_no_inflight_count_and_a_live_endpoint_keeps_its_bound() throws Exception {
    URI held = servers.service(received, "{\"result\":\"ok\"}", true);
    plugin = new WebhookPlugin(List.of(new Webhook("auth_on_register", held, true, false)), Duration.ofSeconds(30), 0,
        Clock.systemUTC(), 2);
    assertThat(plugin.inflightEndpoints()).isEqualTo(1);
    URI other = servers.service(events, "{}", false);
    int n = 20;
    List<URI> endpoints = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      URI e = servers.endpoint(other, "/e" + i, events, "{}", false);
      endpoints.add(e);
      plugin.register(new Webhook("on_client_offline", e, true, false));
      plugin.register(new Webhook("on_client_gone", e, true, false));
    }
    assertThat(plugin.inflightEndpoints()).isEqualTo(1 + n);
    plugin.tell(offline("c")).get(10, TimeUnit.SECONDS);
    assertThat(events.get()).isEqualTo(n);
    // the hook's outcome can come before the client has ended the request that gave it (its place given back then)
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5))
        .until(() -> endpoints.stream().allMatch(e -> plugin.inflight(e) == 0));
    for (URI e : endpoints) {
      assertThat(plugin.deregister("on_client_offline", e)).isTrue();
    }
    assertThat(plugin.inflightEndpoints()).as("still registered for on_client_gone").isEqualTo(1 + n);
    for (URI e : endpoints) {
      assertThat(plugin.deregister("on_client_gone", e)).isTrue();
    }
    assertThat(plugin.inflightEndpoints()).as("the live endpoint's only").isEqualTo(1);

    CompletableFuture<Verdict<RegisterModifiers>> a = register(plugin, "a");
    CompletableFuture<Verdict<RegisterModifiers>> b = register(plugin, "b");
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5)).until(() -> received.get() == 2);
    assertThat(plugin.inflight(held)).isEqualTo(2);
    Verdict<RegisterModifiers> c = register(plugin, "c").get(5, TimeUnit.SECONDS);
    assertThat(c.isError()).as("beyond the bound: refused as a failed request is, %s", c).isTrue();
    assertThat(plugin.refused()).isEqualTo(1);
    servers.release();
    assertThat(a.get(10, TimeUnit.SECONDS).isOk()).isTrue();
    assertThat(b.get(10, TimeUnit.SECONDS).isOk()).isTrue();
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5)).until(() -> plugin.inflight(held) == 0);

    plugin.stop();
    assertThat(plugin.inflightEndpoints()).isZero();
  }

  /**
   * An endpoint deregistered while a request to it is under way and registered again at once: that request still takes
   * its place ({@code max_inflight} 1: the next one is refused, not sent); its count goes only when the last request to it
   * ends after its last deregistration.
   */
  @Test
  void a_request_under_way_keeps_its_place_across_a_deregistration_and_registration() throws Exception {
    URI held = servers.service(received, "{\"result\":\"ok\"}", true);
    Webhook w = new Webhook("auth_on_register", held, true, false);
    plugin = new WebhookPlugin(List.of(w), Duration.ofSeconds(30), 0, Clock.systemUTC(), 1);
    CompletableFuture<Verdict<RegisterModifiers>> a = register(plugin, "a");
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5)).until(() -> received.get() == 1);

    assertThat(plugin.deregister("auth_on_register", held)).isTrue();
    assertThat(plugin.inflightEndpoints()).as("kept while a request to it is under way").isEqualTo(1);
    plugin.register(w);
    Verdict<RegisterModifiers> b = register(plugin, "b").get(5, TimeUnit.SECONDS);
    assertThat(b.isError()).as("its place is still taken: refused, %s", b).isTrue();
    assertThat(plugin.refused()).isEqualTo(1);
    assertThat(received.get()).as("not sent").isEqualTo(1);

    assertThat(plugin.deregister("auth_on_register", held)).isTrue();
    assertThat(plugin.inflightEndpoints()).isEqualTo(1);
    servers.release();
    assertThat(a.get(10, TimeUnit.SECONDS).isOk()).as("answered after its endpoint went").isTrue();
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5))
        .until(() -> plugin.inflightEndpoints() == 0); // dropped when its last request ended
  }

  private static ClientEvent offline(String clientId) {
    return new ClientEvent.Offline(new ClientInfo(clientId, "u", "mqtt", "tcp:default", null, "", null),
        CloseReason.NORMAL);
  }
}
