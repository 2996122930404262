package io.estuary.core.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code webhooks.max_registrations}: the plugin's side (clients and in-flight counts made only for accepted pairs). */
class WebhookRegistrationsTest {
  private WebhookPlugin plugin;

  @AfterEach
  void stop() {
    if (plugin != null) {
      plugin.stop();
    }
  }

  private static Webhook hook(String name, String endpoint) {
    return new Webhook(name, URI.create(endpoint), true, false);
  }

  @Test
  void a_refused_pair_makes_no_client_and_no_in_flight_count() {
    plugin = new WebhookPlugin(List.of(hook("auth_on_register", "http://127.0.0.1:9/a")), Duration.ofSeconds(5), 0,
        Clock.systemUTC(), 10, 2);
    assertThat(plugin.register(hook("on_client_gone", "http://127.0.0.1:9/a"))).isTrue();
    assertThat(plugin.register(new Webhook("on_client_gone", URI.create("http://127.0.0.1:9/a"), false, true)))
        .as("the same pair again: its options replaced").isTrue();
    assertThat(plugin.register(hook("on_client_gone", "http://127.0.0.2:9/b"))).isFalse();
    assertThat(plugin.register(hook("on_publish", "http://127.0.0.1:9/a"))).as("another hook, same endpoint").isFalse();
    assertThat(plugin.register(hook("auth_on_register_m5", "http://127.0.0.1:9/a"))).as("the _m5 variant").isFalse();
    assertThat(plugin.registrationsRefused()).isEqualTo(3);
    assertThat(plugin.registrations()).isEqualTo(2);
    assertThat(plugin.registered()).extracting(Webhook::noPayload).containsExactly(false, true);
    assertThat(plugin.clients()).as("no client for the refused pair's server").isEqualTo(1);
    assertThat(plugin.inflightEndpoints()).isEqualTo(1);
    assertThat(plugin.deregister("Auth_On_Register", URI.create("http://127.0.0.1:9/a"))).as("any spelling").isTrue();
    assertThat(plugin.register(hook("on_client_gone", "http://127.0.0.2:9/b"))).isTrue();
    assertThat(plugin.clients()).isEqualTo(2);
    assertThat(plugin.registrationsRefused()).isEqualTo(3);
  }

  @Test
  void registering_a_pair_again_keeps_its_place_in_the_order() {
    plugin = new WebhookPlugin(List.of(hook("auth_on_register", "http://127.0.0.1:9/a"),
        hook("auth_on_register", "http://127.0.0.1:9/b")), Duration.ofSeconds(5), 0, Clock.systemUTC(), 10, 2);
    assertThat(plugin.register(new Webhook("auth_on_register", URI.create("http://127.0.0.1:9/a"), false, false))).isTrue();
    assertThat(plugin.registered()).extracting(w -> w.endpoint().getPath()).containsExactly("/a", "/b");
    assertThat(plugin.registered().get(0).base64payload()).isFalse();
  }

  @Test
  void more_initial_pairs_than_the_limit_are_refused() {
    assertThatThrownBy(() -> new WebhookPlugin(List.of(hook("auth_on_register", "http://127.0.0.1:9/a"),
        hook("on_client_gone", "http://127.0.0.1:9/a")), Duration.ofSeconds(5), 0, Clock.systemUTC(), 10, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max_registrations (1)");
  }
}
