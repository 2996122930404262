package io.estuary.core.webhooks;

import static io.estuary.core.webhooks.WebhookServers.register;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.estuary.api.ClientInfo;
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

/** {@code webhooks.max_inflight} against a real HTTP service that holds its answers. */
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
      plugin.onEvent(new io.estuary.api.hooks.ClientEvent.Offline(
          new ClientInfo("e" + i, "u", "mqtt", "tcp:default", null, "", null), io.estuary.api.CloseReason.NORMAL));
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
}
