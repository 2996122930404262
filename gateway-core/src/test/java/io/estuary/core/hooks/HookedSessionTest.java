package io.estuary.core.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.estuary.api.BrokerSession;
import io.estuary.api.ClientInfo;
import io.estuary.api.CloseReason;
import io.estuary.api.Subscription;
import io.estuary.api.hooks.HookName;
import io.estuary.api.hooks.HookPlugin;
import io.estuary.api.hooks.SubscribeModifiers;
import io.estuary.api.hooks.SubscribeRequest;
import io.estuary.api.hooks.Verdict;
import io.estuary.core.management.MicrometerMetrics;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The order in which a hooked session's calls reach the core's session while a hook is asked. */
class HookedSessionTest {
  private final List<String> calls = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Verdict<SubscribeModifiers>> answer = new CompletableFuture<>();
  private final ClientInfo client = new ClientInfo("c1", null, "mqttsn", "udp:default",
      new InetSocketAddress("127.0.0.1", 4000), null, null);
  private HookChain chain;

  @AfterEach
  void stop() {
    if (chain != null) {
      chain.close();
    }
  }

  /** The core's session: records each call's name; every stage it returns stays pending. */
  private BrokerSession core() {
    return (BrokerSession) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {BrokerSession.class},
        (proxy, m, args) -> {
          calls.add(m.getName());
          Class<?> r = m.getReturnType();
          return r == CompletionStage.class ? new CompletableFuture<>()
              : r == boolean.class ? false : r == int.class ? 0 : r == long.class ? 0L : r == String.class ? "c1" : null;
        });
  }

  /** A session whose auth_on_subscribe is answered when the test completes {@link #answer}. */
  private HookedSession hooked() {
    HookPlugin plugin = new HookPlugin() {
      public String name() {
        return "slow";
      }

      public Set<HookName> hooks() {
        return Set.of(HookName.AUTH_ON_SUBSCRIBE);
      }

      public CompletionStage<Verdict<SubscribeModifiers>> authOnSubscribe(SubscribeRequest r) {
        return answer;
      }
    };
    chain = new HookChain(List.of(plugin),
        new HooksConfig(Path.of("none"), List.of(), Duration.ofSeconds(30), Verdict.Kind.ERROR, 2),
        new MicrometerMetrics());
    chain.start(p -> null);
    return new HookedSession(core(), chain, client, Runnable::run, new HookedSession.Ending(chain, client, true));
  }

  @Test
  void a_discard_reaches_the_session_at_once_even_while_an_earlier_call_waits_in_a_hook() {
    HookedSession s = hooked();
    s.subscribe(List.of(Subscription.of("a/b", 1)));
    assertThat(s.waiting()).as("the SUBSCRIBE waits for auth_on_subscribe").isTrue();
    s.discard();
    assertThat(calls).as("discarded before the hook answers: the shutdown cannot overtake it")
        .containsExactly("discard");
    answer.complete(Verdict.ok());
    await().atMost(Duration.ofSeconds(5)).until(() -> calls.size() == 2);
    assertThat(calls).as("the waiting call comes later (the core refuses it: its session is closed)")
        .containsExactly("discard", "subscribe");
  }

  @Test
  void a_close_keeps_its_place_behind_a_call_waiting_in_a_hook() {
    HookedSession s = hooked();
    s.subscribe(List.of(Subscription.of("a/b", 1)));
    s.close(CloseReason.NORMAL);
    assertThat(calls).as("a plain close waits: its will and the session's state follow the calls before it")
        .isEmpty();
    answer.complete(Verdict.ok());
    await().atMost(Duration.ofSeconds(5)).until(() -> calls.size() == 2);
    assertThat(calls).containsExactly("subscribe", "close");
  }
}
