package io.estuary.core.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.api.ClientCredentials;
import io.estuary.api.hooks.HookName;
import io.estuary.api.hooks.HookPlugin;
import io.estuary.api.hooks.RegisterRequest;
import io.estuary.api.hooks.Verdict;
import io.estuary.core.management.MicrometerMetrics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The chain's order, "next", timeouts and failures, on the hook threads. */
class HookChainTest {
  private final MicrometerMetrics metrics = new MicrometerMetrics();
  private final List<String> asked = new CopyOnWriteArrayList<>();
  private HookChain chain;

  @AfterEach
  void stop() {
    if (chain != null) {
      chain.close();
    }
  }

  /** A plugin answering auth_on_register with {@code answer} (null: never answers). */
  HookPlugin plugin(String name, Function<RegisterRequest, CompletionStage<Verdict<io.estuary.api.hooks.RegisterModifiers>>> answer) {
    return new HookPlugin() {
      public String name() {
        return name;
      }

      public Set<HookName> hooks() {
        return Set.of(HookName.AUTH_ON_REGISTER);
      }

      public CompletionStage<Verdict<io.estuary.api.hooks.RegisterModifiers>> authOnRegister(RegisterRequest r) {
        asked.add(name + "@" + Thread.currentThread().getName());
        return answer.apply(r);
      }
    };
  }

  HookChain chain(Verdict.Kind onTimeout, HookPlugin... plugins) {
    chain = new HookChain(List.of(plugins),
        new HooksConfig(Path.of("none"), List.of(), Duration.ofMillis(200), onTimeout, 2), metrics);
    chain.start(p -> null);
    return chain;
  }

  static ClientCredentials creds(String user) {
    return ClientCredentials.of("c1", user, null, "mqtt");
  }

  @Test
  void the_register_request_carries_the_identity_the_transport_proved() {
    List<String> seen = new CopyOnWriteArrayList<>();
    chain(Verdict.Kind.ERROR, plugin("a", r -> {
      seen.add(String.valueOf(r.identity()));
      return CompletableFuture.completedFuture(Verdict.ok());
    }));
    chain.authenticate(new ClientCredentials("c1", "sn-dev", null, "mqttsn-dtls", null, "sn-dev")).join();
    chain.authenticate(creds("u")).join();
    assertThat(seen).containsExactly("sn-dev", "null");
  }

  @Test
  void next_passes_to_the_following_plugin_and_the_first_ok_ends_the_chain() {
    chain(Verdict.Kind.ERROR,
        plugin("a", r -> Verdict.nextStage()),
        plugin("b", r -> CompletableFuture.completedFuture(Verdict.ok())),
        plugin("c", r -> CompletableFuture.completedFuture(Verdict.error("never asked"))));
    assertThat(chain.authenticate(creds("u")).join().isAllowed()).isTrue();
    assertThat(asked).hasSize(2);
    assertThat(asked.get(0)).startsWith("a@estuary-hook-");
    assertThat(asked.get(1)).startsWith("b@estuary-hook-");
  }

  @Test
  void every_plugin_passing_leaves_the_decision_to_the_gateway() {
    chain(Verdict.Kind.ERROR, plugin("a", r -> Verdict.nextStage()));
    assertThat(chain.authenticate(creds("u")).join()).isNull();
  }

  @Test
  void invalid_credentials_is_bad_credentials_and_other_errors_are_not_authorized() {
    chain(Verdict.Kind.ERROR, plugin("a", r -> CompletableFuture.completedFuture(
        Verdict.error(r.client().username().equals("x") ? "invalid_credentials" : "banned"))));
    assertThat(chain.authenticate(creds("x")).join().status()).isEqualTo(io.estuary.api.AuthResult.Status.BAD_CREDENTIALS);
    assertThat(chain.authenticate(creds("y")).join().status()).isEqualTo(io.estuary.api.AuthResult.Status.NOT_AUTHORIZED);
  }

  @Test
  void a_plugin_that_never_answers_counts_as_the_configured_timeout_result() {
    chain(Verdict.Kind.NEXT, plugin("slow", r -> new CompletableFuture<>()),
        plugin("then", r -> CompletableFuture.completedFuture(Verdict.error("late but asked"))));
    assertThat(chain.authenticate(creds("u")).join().reason()).isEqualTo("late but asked");
    assertThat(metrics.registry().find("estuary.hooks.timeouts").tag("plugin", "slow").counter().count()).isEqualTo(1.0);
  }

  @Test
  void a_timeout_counts_as_error_by_default() {
    chain(HooksConfig.defaults().onTimeout(), plugin("slow", r -> new CompletableFuture<>()));
    assertThat(chain.authenticate(creds("u")).join().isAllowed()).isFalse();
  }

  @Test
  void a_plugin_that_throws_or_fails_refuses() {
    chain(Verdict.Kind.OK, plugin("boom", r -> {
      throw new IllegalStateException("bug");
    }));
    assertThat(chain.authenticate(creds("u")).join().isAllowed()).isFalse();
    chain.close();
    chain(Verdict.Kind.OK, plugin("failed", r -> CompletableFuture.failedFuture(new RuntimeException("down"))));
    assertThat(chain.authenticate(creds("u")).join().isAllowed()).isFalse();
  }

  @Test
  void without_plugins_the_chain_is_disabled_and_has_no_hook() {
    chain(Verdict.Kind.ERROR);
    assertThat(chain.enabled()).isFalse();
    for (HookName h : HookName.values()) {
      assertThat(chain.has(h)).isFalse();
    }
  }

  @Test
  void hook_names_are_vernemq_s_and_m5_names_name_the_same_hook() {
    assertThat(HookName.of("auth_on_publish_m5")).isEqualTo(HookName.AUTH_ON_PUBLISH);
    assertThat(HookName.ON_CLIENT_WAKEUP.wireName()).isEqualTo("on_client_wakeup");
  }

  static HookPlugin idle(String name, boolean mayChange) {
    return new HookPlugin() {
      public String name() {
        return name;
      }

      public Set<HookName> hooks() {
        return Set.of();
      }

      public boolean hooksMayChange() {
        return mayChange;
      }
    };
  }

  @Test
  void a_plugin_with_nothing_to_do_does_not_make_the_gateway_wrap_sessions() {
    assertThat(chain(Verdict.Kind.ERROR, idle("lua", false)).enabled()).isFalse();
    chain.close();
    assertThat(chain(Verdict.Kind.ERROR, idle("lua", false), idle("webhooks", true)).enabled()).isTrue();
    chain.close();
    assertThat(chain(Verdict.Kind.ERROR, idle("lua", false), plugin("a", r -> Verdict.nextStage())).enabled()).isTrue();
  }
}
