package io.estuary.core.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.estuary.api.AuthResult;
import io.estuary.api.ClientCredentials;
import io.estuary.api.ClientInfo;
import io.estuary.api.CloseReason;
import io.estuary.api.hooks.ClientEvent;
import io.estuary.api.hooks.Verdict;
import io.estuary.core.hooks.HookChain;
import io.estuary.core.hooks.HooksConfig;
import io.estuary.core.management.MicrometerMetrics;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * A slow or stalled webhook server holds up no request to another server, nor a hook past {@code response_timeout}.
 */
class WebhookIsolationTest {
  private final WebhookServers servers = new WebhookServers(Duration.ofSeconds(30));
  private final AtomicInteger held = new AtomicInteger();
  private final AtomicInteger events = new AtomicInteger();
  private HookChain chain;

  @AfterEach
  void stop() {
    servers.release();
    if (chain != null) {
      chain.close();
    }
    servers.close();
  }

  /**
   * As the gateway calls the plugin: through the hook chain on its 2 hook threads. Four auth_on_register requests wait
   * at a server that holds its answers (more than the hook threads and the plugin's threads of a server); events for
   * other clients still reach another server at once.
   */
  @Test
  void auth_answers_slow_to_come_from_one_server_delay_no_event_to_another() throws Exception {
    URI slow = servers.service(held, "{\"result\":\"ok\"}", true);
    URI fast = servers.service(events, "{\"result\":\"ok\"}", false);
    WebhookPlugin plugin = new WebhookPlugin(List.of(new Webhook("auth_on_register", slow, true, false),
        new Webhook("on_client_offline", fast, true, false)), Duration.ofSeconds(30), 0, Clock.systemUTC(), 1000);
    chain = new HookChain(List.of(plugin), new HooksConfig(Path.of("none"), List.of(), Duration.ofSeconds(30),
        Verdict.Kind.ERROR, 2), new MicrometerMetrics());
    chain.start(p -> null);
    List<CompletableFuture<AuthResult>> auths = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      auths.add(chain.authenticate(ClientCredentials.of("r" + i, "u", null, "mqtt")));
    }
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5)).until(() -> held.get() == 4);
    for (int i = 0; i < 2; i++) {
      chain.tell(new ClientEvent.Offline(new ClientInfo("e" + i, "u", "mqtt", "tcp:default", null, "", null),
          CloseReason.NORMAL));
    }
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5)).until(() -> events.get() == 2);
    assertThat(auths).as("still waiting at the slow server").noneMatch(CompletableFuture::isDone);
    servers.release();
    for (CompletableFuture<AuthResult> a : auths) {
      assertThat(a.get(10, TimeUnit.SECONDS).isAllowed()).isTrue();
    }
    assertThat(plugin.refused()).isZero();
  }

  /**
   * The JDK HTTP client resolves a server's name on its executor, blocking: a name server that does not answer (here
   * a hosts file that is a FIFO, read by another JVM) holds those threads. Four auth requests to such a server; an
   * auth request and events to another server (an IP address) are answered meanwhile, and the four once the name
   * resolves.
   */
  @Test
  @EnabledOnOs(OS.LINUX) // mkfifo
  void a_server_whose_name_lookup_stalls_delays_no_request_to_another(@TempDir Path dir) throws Exception {
    StalledLookupProcess.Output out = StalledLookupProcess.launch(dir, "isolation");
    assertThat(out.ended()).as(out.all()).isTrue();
    assertThat(out.lines()).as(out.all()).containsExactly(
        "lookup under way",
        "other server during the lookup: events=2 auth_on_publish=OK stalled_done=0",
        "stalled server after the lookup: auth_on_register=OK,OK,OK,OK");
    assertThat(out.exitValue()).as(out.all()).isZero();
  }

  /**
   * The JDK client's own request timeout starts after the name lookup: without more, an auth hook to a server whose
   * lookup stalls would wait as long as the lookup. Its verdict (refused, a failed request: {@code timeout}) comes within
   * {@code response_timeout} of the call, measured by the caller, while the requests themselves keep their places until
   * the lookup ends: a third request meanwhile is refused by {@code max_inflight} (2), a fourth, after, is answered.
   */
  @Test
  @EnabledOnOs(OS.LINUX) // mkfifo
  void an_auth_hook_to_a_server_whose_name_lookup_stalls_gets_its_verdict_within_response_timeout(@TempDir Path dir)
      throws Exception {
    StalledLookupProcess.Output out = StalledLookupProcess.launch(dir, "timeout");
    assertThat(out.ended()).as(out.all()).isTrue();
    assertThat(out.lines()).as(out.all()).containsExactly(
        "lookup under way",
        "during the lookup: auth_on_register=ERROR,ERROR in_time=true in_flight=2",
        "a third during the lookup: auth_on_register=ERROR refused=1",
        "after the lookup: in_flight=0 auth_on_register=OK failed timeout=2 connect=0 status=0 bad_response=0 no_client=0");
    assertThat(out.exitValue()).as(out.all()).isZero();
  }
}
