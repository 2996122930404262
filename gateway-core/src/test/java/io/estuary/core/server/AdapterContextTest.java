package io.estuary.core.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import io.estuary.core.auth.AclAuthorizer;
import io.estuary.core.auth.ConfigAuthenticator;
import io.estuary.core.config.ConfigLoader;
import io.estuary.core.management.MicrometerMetrics;
import io.estuary.core.session.Broker;
import io.estuary.core.store.memory.MemoryStore;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Each adapter's context keeps the metric names and stored namespaces adapters used before it existed. */
class AdapterContextTest {
  private final MemoryStore store = new MemoryStore();
  private final MicrometerMetrics metrics = new MicrometerMetrics();
  private final Broker broker = new Broker("n", ConfigLoader.bind(ConfigFactory.empty()).mqtt(), store,
      new ConfigAuthenticator(true, List.of(), List.of()), new AclAuthorizer(List.of(), true, u -> false), metrics,
      Clock.systemUTC());
  private final ExecutorService storeExecutor = Executors.newSingleThreadExecutor(r -> new Thread(r, "test-kv"));

  @AfterEach
  void stop() throws InterruptedException {
    storeExecutor.shutdown();
    storeExecutor.awaitTermination(5, TimeUnit.SECONDS);
    broker.close();
  }

  AdapterContext context(String protocol) {
    return new AdapterContext(protocol, broker, store, storeExecutor, metrics, AdapterContext.metricPrefix(protocol));
  }

  @Test
  void metric_names_get_the_adapter_prefix_as_they_had_by_hand() {
    context("mqttsn").metrics().counter("drops", "reason", "malformed").increment();
    context("coap").metrics().counter("notifications.sent").increment(2);
    context("lwm2m").metrics().gauge("endpoints", () -> 3);
    assertThat(metrics.registry().find("estuary.mqttsn.drops").tag("reason", "malformed").counter().count()).isEqualTo(1.0);
    assertThat(metrics.registry().find("estuary.coap.notifications.sent").counter().count()).isEqualTo(2.0);
    assertThat(metrics.registry().find("estuary.lwm2m.endpoints").gauge().value()).isEqualTo(3.0);
  }

  @Test
  void key_value_spaces_are_stored_under_the_namespaces_of_the_previous_version() {
    context("mqttsn").keyValueSpace("topic-ids").put("k", new byte[] {1}).toCompletableFuture().join();
    context("coap").keyValueSpace("connections").put("k", new byte[] {2}).toCompletableFuture().join();
    context("lwm2m").keyValueSpace().put("k", new byte[] {3}).toCompletableFuture().join();
    assertThat(store.keyValueTable("mqttsn-topic-ids").get("k")).containsExactly(1);
    assertThat(store.keyValueTable("coap-connections").get("k")).containsExactly(2);
    assertThat(store.keyValueTable("lwm2m").get("k")).containsExactly(3);
  }

  @Test
  void an_adapter_cannot_name_its_way_into_another_namespace() {
    assertThatThrownBy(() -> context("broker")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> context("mqtt-sn")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> context("coap").keyValueSpace("../x")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> context("coap").keyValueSpace("Connections")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void key_value_operations_run_in_call_order_and_complete_on_the_store_executor() throws Exception {
    var kv = context("mqttsn").keyValueSpace("topic-ids");
    String caller = Thread.currentThread().getName();
    java.util.concurrent.CountDownLatch busy = new java.util.concurrent.CountDownLatch(1);
    storeExecutor.execute(() -> {
      try {
        busy.await(); // holds the store executor: nothing below can complete before the dependents are attached
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    kv.put("a/1", "x".getBytes(StandardCharsets.UTF_8));
    kv.put("a/2", "y".getBytes(StandardCharsets.UTF_8));
    kv.deleteAll("a/");
    kv.put("a/3", "z".getBytes(StandardCharsets.UTF_8));
    var pending = kv.scan("a/").thenApply(m -> List.of(String.join(",", m.keySet()), Thread.currentThread().getName()))
        .toCompletableFuture();
    assertThat(pending).as("nothing ran on the caller's thread").isNotDone();
    busy.countDown();
    var scanned = pending.get(5, TimeUnit.SECONDS);
    assertThat(scanned.get(0)).isEqualTo("a/3");
    assertThat(scanned.get(1)).isEqualTo("test-kv").isNotEqualTo(caller);
    assertThat(kv.get("a/3").thenApply(v -> new String(v, StandardCharsets.UTF_8)).toCompletableFuture().join())
        .isEqualTo("z");
    assertThat(kv.get("missing").toCompletableFuture().join()).isNull();
  }

  /** A sink that runs on the calling thread and records nothing. */
  static final class NullSink implements io.estuary.api.DeliverySink {
    @Override
    public java.util.concurrent.Executor executor() {
      return Runnable::run;
    }

    @Override
    public int credits() {
      return Integer.MAX_VALUE;
    }

    @Override
    public void deliver(io.estuary.api.Delivery d) {}

    @Override
    public void sessionClosed(io.estuary.api.CloseReason r) {}
  }

  static io.estuary.api.SessionRefusedException.Reason refusal(java.util.concurrent.CompletionStage<?> opened) {
    Throwable t = opened.toCompletableFuture().handle((s, e) -> e).orTimeout(5, TimeUnit.SECONDS).join();
    io.estuary.api.SessionRefusedException r = io.estuary.api.SessionRefusedException.of(t);
    assertThat(r).as("failure %s", t).isNotNull();
    return r.reason();
  }

  @Test
  void an_adapter_opens_ids_in_its_own_dollar_namespace_and_no_other() throws Exception {
    var options = io.estuary.api.SessionOptions.builder().cleanStart(false).sessionExpiry(java.time.Duration.ofHours(1)).build();
    var uplink = io.estuary.api.ClientInfo.of("$uplink/cloud", null, "uplink", null);
    var own = context("uplink").openSession(uplink, options, new NullSink()).toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertThat(own).isNotNull();
    own.close(io.estuary.api.CloseReason.NORMAL);
    // issue #12: a REGISTER with ep=$uplink/cloud used to open (and, clean, wipe) the uplink's backlog
    var lwm2m = io.estuary.api.ClientInfo.of("$uplink/cloud", null, "lwm2m", null);
    assertThat(refusal(context("lwm2m").openSession(lwm2m, io.estuary.api.SessionOptions.builder().build(), new NullSink())))
        .isEqualTo(io.estuary.api.SessionRefusedException.Reason.RESERVED_CLIENT_ID);
    assertThat(refusal(context("lwm2m").openSession(io.estuary.api.ClientInfo.of("$lwm2mx/a", null, "lwm2m", null),
        io.estuary.api.SessionOptions.builder().build(), new NullSink())))
        .isEqualTo(io.estuary.api.SessionRefusedException.Reason.RESERVED_CLIENT_ID);
  }
}
