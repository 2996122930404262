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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The plugin holds one HTTP client per server some registration names, whatever requests are under way while
 * endpoints are registered and deregistered, and none once stopped.
 */
@Timeout(60)
class WebhookClientsTest {
  private static final String HOOK = "on_client_offline";
  private final WebhookServers servers = new WebhookServers(Duration.ofSeconds(30));
  private ExecutorService senders;
  private WebhookPlugin plugin;

  @AfterEach
  void stop() {
    servers.close(plugin);
    if (senders != null) {
      senders.shutdownNow();
    }
  }

  private static ClientEvent offline(String clientId) {
    return new ClientEvent.Offline(new ClientInfo(clientId, "u", "mqtt", "tcp:default", null, "", null),
        CloseReason.NORMAL);
  }

  /**
   * auth_on_register asks its endpoints in turn: the request to the second server is sent only once the first has
   * answered next, from the registrations as they were when the hook was called. The second server is deregistered
   * meanwhile: the request finds no client, is not sent and refuses the client as a failed request does (counted as
   * {@code no_client}), and no client is made for a server no registration names.
   */
  @Test
  void a_request_reaching_a_server_deregistered_meanwhile_makes_no_client_and_fails() throws Exception {
    AtomicInteger first = new AtomicInteger();
    AtomicInteger second = new AtomicInteger();
    URI held = servers.service(first, "{\"result\":\"next\"}", true);
    URI gone = servers.service(second, "{\"result\":\"ok\"}", false);
    plugin = new WebhookPlugin(List.of(new Webhook("auth_on_register", held, true, false),
        new Webhook("auth_on_register", gone, true, false)), Duration.ofSeconds(30), 0, Clock.systemUTC(), 1000);
    assertThat(plugin.clients()).isEqualTo(2);
    CompletableFuture<Verdict<RegisterModifiers>> verdict = register(plugin, "dev-1");
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5)).until(() -> first.get() == 1);

    assertThat(plugin.deregister("auth_on_register", gone)).isTrue();
    assertThat(plugin.clients()).isEqualTo(1);
    servers.release();

    Verdict<RegisterModifiers> v = verdict.get(10, TimeUnit.SECONDS);
    assertThat(v.isError()).as("refused as for a failed request: %s", v).isTrue();
    assertThat(second.get()).as("nothing sent to the deregistered server").isZero();
    assertThat(plugin.clients()).as("no client made for the deregistered server").isEqualTo(1);
    assertThat(plugin.refused()).as("not a max_inflight refusal").isZero();
    assertThat(plugin.failed(WebhookFailure.NO_CLIENT)).as("a failed request: no client").isEqualTo(1);
  }

  /**
   * Two threads send events without pause while one endpoint (a server of its own) is registered and deregistered
   * again and again; after each deregistration the plugin holds the client of the remaining server only. Once stopped
   * it holds none, and sending or registering makes none.
   */
  @Test
  void registering_and_deregistering_while_events_are_sent_leaves_one_client_per_registered_server() throws Exception {
    AtomicInteger kept = new AtomicInteger();
    AtomicInteger toggled = new AtomicInteger();
    URI keptUri = servers.service(kept, "{}", false);
    URI toggledUri = servers.service(toggled, "{}", false);
    plugin = new WebhookPlugin(List.of(new Webhook(HOOK, keptUri, true, false)), Duration.ofSeconds(30), 0,
        Clock.systemUTC(), 64);
    assertThat(plugin.clients()).isEqualTo(1);

    AtomicBoolean sending = new AtomicBoolean(true);
    senders = Executors.newFixedThreadPool(2);
    List<Future<?>> sent = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      int thread = t;
      sent.add(senders.submit(() -> {
        for (int i = 0; sending.get(); i++) {
          plugin.onEvent(offline("c" + thread + "-" + i));
        }
      }));
    }
    for (int i = 0; i < 100; i++) {
      int before = toggled.get();
      plugin.register(new Webhook(HOOK, toggledUri, true, false));
      assertThat(plugin.clients()).isEqualTo(2);
      // events reach the registered endpoint before it goes again
      await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
          .until(() -> toggled.get() > before);
      assertThat(plugin.deregister(HOOK, toggledUri)).isTrue();
      assertThat(plugin.clients()).as("after deregistration %d", i).isEqualTo(1);
    }
    sending.set(false);
    for (Future<?> f : sent) {
      f.get(10, TimeUnit.SECONDS);
    }
    assertThat(plugin.clients()).as("the kept server's only").isEqualTo(1);

    plugin.stop();
    assertThat(plugin.clients()).isZero();
    plugin.onEvent(offline("after-stop"));
    assertThat(plugin.clients()).as("sending after stop makes no client").isZero();
    plugin.register(new Webhook(HOOK, toggledUri, true, false));
    plugin.onEvent(offline("after-stop-2"));
    assertThat(plugin.clients()).as("registering after stop makes no client").isZero();
  }
}
