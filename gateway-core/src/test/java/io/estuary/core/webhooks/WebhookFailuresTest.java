package io.estuary.core.webhooks;

import static io.estuary.core.webhooks.WebhookServers.register;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.estuary.api.ClientInfo;
import io.estuary.api.CloseReason;
import io.estuary.api.Message;
import io.estuary.api.Payload;
import io.estuary.api.hooks.ClientEvent;
import io.estuary.api.hooks.DeliverModifiers;
import io.estuary.api.hooks.DeliverRequest;
import io.estuary.api.hooks.PublishModifiers;
import io.estuary.api.hooks.RegisterModifiers;
import io.estuary.api.hooks.Verdict;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code webhooks.failed{reason}}: each way a request fails, provoked with a real JDK HTTP server (or a closed port), is
 * counted once under its own reason and under no other, for a notification, an auth hook and on_deliver.
 */
@Timeout(60)
class WebhookFailuresTest {
  /** The timeout case's: the answer is held past it. */
  private static final Duration RESPONSE_TIMEOUT = Duration.ofMillis(500);
  /** Every other case's: long enough that a slow machine never turns their failure into a timeout. */
  private static final Duration LONG_TIMEOUT = Duration.ofSeconds(10);
  private final WebhookServers servers = new WebhookServers(Duration.ofSeconds(30));
  private final AtomicInteger received = new AtomicInteger();
  private WebhookPlugin plugin;

  @AfterEach
  void stop() {
    servers.close(plugin);
  }

  /** An endpoint that fails a request, the failure it is, and what an auth hook's refusal says. */
  enum Failing {
    ANSWERS_500(WebhookFailure.STATUS, "http_500", false),
    HOLDS_PAST_RESPONSE_TIMEOUT(WebhookFailure.TIMEOUT, "webhook_failed", false),
    CLOSED_PORT(WebhookFailure.CONNECT, "webhook_failed", false),
    ANSWERS_EMPTY_OBJECT(WebhookFailure.BAD_RESPONSE, "bad_response", true),
    ANSWERS_GARBAGE(WebhookFailure.BAD_RESPONSE, "bad_response", true);

    final WebhookFailure reason;
    final String refusal;
    /** A failure only where the answer's body is read: the answered hooks, not notifications. */
    final boolean body;

    Failing(WebhookFailure reason, String refusal, boolean body) {
      this.reason = reason;
      this.refusal = refusal;
      this.body = body;
    }
  }

  private URI endpoint(Failing f) throws Exception {
    return switch (f) {
      case ANSWERS_500 -> servers.service(received, 500, "{\"result\":\"ok\"}", false);
      case HOLDS_PAST_RESPONSE_TIMEOUT -> servers.service(received, "{\"result\":\"ok\"}", true);
      case CLOSED_PORT -> WebhookServers.closedPort();
      case ANSWERS_EMPTY_OBJECT -> servers.service(received, "{}", false);
      case ANSWERS_GARBAGE -> servers.service(received, "<html>not json", false);
    };
  }

  private WebhookPlugin plugin(String hook, URI endpoint) {
    return plugin(hook, endpoint, LONG_TIMEOUT);
  }

  private WebhookPlugin plugin(String hook, Failing f) throws Exception {
    return plugin(hook, endpoint(f), f == Failing.HOLDS_PAST_RESPONSE_TIMEOUT ? RESPONSE_TIMEOUT : LONG_TIMEOUT);
  }

  private static WebhookPlugin plugin(String hook, URI endpoint, Duration timeout) {
    return new WebhookPlugin(List.of(new Webhook(hook, endpoint, true, false)), timeout, 0, Clock.systemUTC(), 10);
  }

  private Map<WebhookFailure, Long> failed() {
    Map<WebhookFailure, Long> out = new EnumMap<>(WebhookFailure.class);
    for (WebhookFailure r : WebhookFailure.values()) {
      out.put(r, plugin.failed(r));
    }
    return out;
  }

  private static Map<WebhookFailure, Long> only(WebhookFailure reason, long n) {
    Map<WebhookFailure, Long> out = new EnumMap<>(WebhookFailure.class);
    for (WebhookFailure r : WebhookFailure.values()) {
      out.put(r, r == reason ? n : 0L);
    }
    return out;
  }

  private static ClientEvent offline(String clientId) {
    return new ClientEvent.Offline(new ClientInfo(clientId, "u", "mqtt", "tcp:default", null, "", null),
        CloseReason.NORMAL);
  }

  @ParameterizedTest
  @EnumSource(Failing.class)
  void an_auth_hook_whose_request_fails_refuses_the_client_and_counts_the_reason(Failing f) throws Exception {
    plugin = plugin("auth_on_register", f);
    Verdict<RegisterModifiers> v = register(plugin, "dev-1").get(10, TimeUnit.SECONDS);
    assertThat(v.isError()).as("refused: %s", v).isTrue();
    assertThat(v.error()).isEqualTo(f.refusal);
    assertThat(failed()).isEqualTo(only(f.reason, 1));
    assertThat(plugin.refused()).isZero();
    int expected = f == Failing.CLOSED_PORT ? 0 : 1;
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5)).until(() -> received.get() == expected);
  }

  @ParameterizedTest
  @EnumSource(Failing.class)
  void on_deliver_whose_request_fails_passes_on_and_counts_the_reason(Failing f) throws Exception {
    plugin = plugin("on_deliver", f);
    ClientInfo subscriber =
        new ClientInfo("sub", "u", "mqtt", "tcp:default", new InetSocketAddress("127.0.0.1", 5000), "", null);
    Verdict<DeliverModifiers> v = plugin.onDeliver(new DeliverRequest(subscriber,
        Message.of("a/b", Payload.utf8("x"), 0, false))).toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(v.isNext()).as("delivered unchanged: %s", v).isTrue();
    assertThat(failed()).isEqualTo(only(f.reason, 1));
    assertThat(plugin.refused()).isZero();
  }

  /** The answers to notifications are not read: a 2xx answer whatever its body is no failure. */
  @ParameterizedTest
  @EnumSource(Failing.class)
  void an_event_whose_request_fails_is_dropped_and_counts_the_reason(Failing f) throws Exception {
    plugin = plugin("on_client_offline", f);
    plugin.tell(offline("dev-1")).get(10, TimeUnit.SECONDS);
    assertThat(failed()).isEqualTo(f.body ? only(null, 0) : only(f.reason, 1));
    assertThat(plugin.refused()).isZero();
    int expected = f == Failing.CLOSED_PORT ? 0 : 1;
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5)).until(() -> received.get() == expected);
  }

  /**
   * An "ok" whose modifiers cannot be read (a payload that is not base64, with base64 payloads on) is no answer: on_deliver
   * passes the message on unchanged and auth_on_publish refuses it, both counted as {@code bad_response}.
   */
  @Test
  void an_ok_with_unreadable_modifiers_is_a_bad_response() throws Exception {
    String answer = "{\"result\":\"ok\",\"modifiers\":{\"payload\":\"!!not base64!!\"}}";
    ClientInfo client =
        new ClientInfo("sub", "u", "mqtt", "tcp:default", new InetSocketAddress("127.0.0.1", 5000), "", null);
    Message message = Message.of("a/b", Payload.utf8("x"), 0, false);
    plugin = plugin("on_deliver", servers.service(received, answer, false));
    Verdict<DeliverModifiers> delivered =
        plugin.onDeliver(new DeliverRequest(client, message)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(delivered.isNext()).as("delivered unchanged: %s", delivered).isTrue();
    assertThat(failed()).isEqualTo(only(WebhookFailure.BAD_RESPONSE, 1));
    plugin.stop();

    plugin = plugin("auth_on_publish", servers.service(received, answer, false));
    Verdict<PublishModifiers> published = plugin.authOnPublish(new io.estuary.api.hooks.PublishRequest(client, message))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(published.isError()).as("refused: %s", published).isTrue();
    assertThat(published.error()).isEqualTo("bad_response");
    assertThat(failed()).isEqualTo(only(WebhookFailure.BAD_RESPONSE, 1));
  }

  /**
   * auth_on_register asks two endpoints of one server in turn; the second is deregistered while the first holds its
   * answer (the server stays registered through the first): the request to the second is not sent, refuses the client as
   * a failed request does, counted as {@code no_client}, and leaves no in-flight count for the deregistered endpoint.
   */
  @Test
  void a_request_reaching_an_endpoint_deregistered_meanwhile_is_not_sent_and_counts_no_client() throws Exception {
    AtomicInteger second = new AtomicInteger();
    URI first = servers.service(received, "{\"result\":\"next\"}", true);
    URI gone = servers.endpoint(first, "/gone", second, "{\"result\":\"ok\"}", false);
    plugin = new WebhookPlugin(List.of(new Webhook("auth_on_register", first, true, false),
        new Webhook("auth_on_register", gone, true, false)), Duration.ofSeconds(30), 0, Clock.systemUTC(), 10);
    assertThat(plugin.inflightEndpoints()).isEqualTo(2);
    CompletableFuture<Verdict<RegisterModifiers>> verdict = register(plugin, "dev-1");
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5)).until(() -> received.get() == 1);

    assertThat(plugin.deregister("auth_on_register", gone)).isTrue();
    assertThat(plugin.clients()).as("the server is still registered").isEqualTo(1);
    servers.release();

    Verdict<RegisterModifiers> v = verdict.get(10, TimeUnit.SECONDS);
    assertThat(v.isError()).as("refused as for a failed request: %s", v).isTrue();
    assertThat(v.error()).isEqualTo("webhook_failed");
    assertThat(second.get()).as("nothing sent to the deregistered endpoint").isZero();
    assertThat(failed()).isEqualTo(only(WebhookFailure.NO_CLIENT, 1));
    assertThat(plugin.refused()).isZero();
    assertThat(plugin.inflightEndpoints()).as("none made for the deregistered endpoint").isEqualTo(1);
  }

  @Test
  void an_event_after_stop_is_not_sent_and_counts_no_client() throws Exception {
    plugin = plugin("on_client_offline", servers.service(received, "{}", false));
    plugin.tell(offline("before")).get(10, TimeUnit.SECONDS);
    assertThat(received.get()).isEqualTo(1);
    plugin.stop();
    plugin.tell(offline("after")).get(10, TimeUnit.SECONDS);
    assertThat(received.get()).as("not sent").isEqualTo(1);
    assertThat(failed()).isEqualTo(only(WebhookFailure.NO_CLIENT, 1));
  }
}
