package io.estuary.testkit;

import io.estuary.api.Payload;
import io.estuary.api.Subscription;
import io.estuary.api.hooks.ClientEvent;
import io.estuary.api.hooks.DeliverModifiers;
import io.estuary.api.hooks.DeliverRequest;
import io.estuary.api.hooks.HookName;
import io.estuary.api.hooks.HookPlugin;
import io.estuary.api.hooks.PublishModifiers;
import io.estuary.api.hooks.PublishRequest;
import io.estuary.api.hooks.RegisterModifiers;
import io.estuary.api.hooks.RegisterRequest;
import io.estuary.api.hooks.SubscribeModifiers;
import io.estuary.api.hooks.SubscribeRequest;
import io.estuary.api.hooks.Verdict;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A hook plugin for tests that rewrites and denies by fixed rules and records every call:
 * <ul>
 *   <li>auth_on_register: username {@value #BLOCKED_USER}, or a client id starting with it (protocols
 *       without usernames) → error {@code not_authorized}; a client id starting with {@value #MOUNTED_PREFIX}
 *       → ok with mountpoint {@value #TENANT_MOUNTPOINT}; {@code rename-X} → ok with client id {@code renamed-X};
 *       else next;
 *   <li>auth_on_publish: topics under {@code deny/} → error; under {@code rewrite/} → topic moved to
 *       {@code rewritten/} and payload prefixed {@code "hooked:"}; else next;
 *   <li>auth_on_subscribe: filters under {@code deny/} → QoS 128 (refused); under {@code rewrite/} →
 *       {@code rewritten/}; else unchanged (ok);
 *   <li>on_deliver: topics under {@code deliver-rewrite/} → payload prefixed {@code "delivered:"}; under
 *       {@code deliver-deny/} → error (dropped); else next.
 * </ul>
 * {@link #calls()} lists "hook protocol clientId detail" lines; {@link #threads()} the threads hooks ran on.
 */
public final class TestHookPlugin implements HookPlugin {
  public static final String BLOCKED_USER = "blocked";
  /** Client ids starting with this get the register modifier mountpoint {@value #TENANT_MOUNTPOINT}. */
  public static final String MOUNTED_PREFIX = "mounted-";
  public static final String TENANT_MOUNTPOINT = "tenant/";
  /** Client ids {@code rename-X} get the register modifier client id {@code renamed-X}. */
  public static final String RENAME_PREFIX = "rename-";

  private final List<String> calls = new CopyOnWriteArrayList<>();
  private final List<String> threads = new CopyOnWriteArrayList<>();
  private final List<ClientEvent> events = new CopyOnWriteArrayList<>();

  @Override
  public String name() {
    return "test";
  }

  @Override
  public Set<HookName> hooks() {
    return EnumSet.allOf(HookName.class);
  }

  /** Every call, as "hook protocol clientId detail". */
  public List<String> calls() {
    return List.copyOf(calls);
  }

  /** Calls of one hook. */
  public List<String> calls(HookName h) {
    List<String> out = new ArrayList<>();
    for (String c : calls) {
      if (c.startsWith(h.wireName() + " ")) {
        out.add(c);
      }
    }
    return out;
  }

  /** The notifications received, in order. */
  public List<ClientEvent> events() {
    return List.copyOf(events);
  }

  /** The names of the threads hooks ran on. */
  public List<String> threads() {
    return List.copyOf(threads);
  }

  private void record(HookName h, String protocol, String clientId, String detail) {
    calls.add(h.wireName() + " " + protocol + " " + clientId + " " + detail);
    threads.add(Thread.currentThread().getName());
  }

  @Override
  public CompletionStage<Verdict<RegisterModifiers>> authOnRegister(RegisterRequest r) {
    String id = r.client().clientId();
    record(HookName.AUTH_ON_REGISTER, r.client().protocol(), id, String.valueOf(r.client().username()));
    if (BLOCKED_USER.equals(r.client().username()) || id.startsWith(BLOCKED_USER)) {
      return CompletableFuture.completedFuture(Verdict.error("not_authorized"));
    }
    if (id.startsWith(MOUNTED_PREFIX)) {
      return CompletableFuture.completedFuture(Verdict.ok(new RegisterModifiers(TENANT_MOUNTPOINT, null)));
    }
    if (id.startsWith(RENAME_PREFIX)) {
      return CompletableFuture.completedFuture(
          Verdict.ok(new RegisterModifiers(null, "renamed-" + id.substring(RENAME_PREFIX.length()))));
    }
    return CompletableFuture.completedFuture(Verdict.next());
  }

  @Override
  public CompletionStage<Verdict<PublishModifiers>> authOnPublish(PublishRequest r) {
    String topic = r.message().topic();
    record(HookName.AUTH_ON_PUBLISH, r.client().protocol(), r.client().clientId(), topic);
    Verdict<PublishModifiers> v;
    if (topic.startsWith("deny/")) {
      v = Verdict.error("not_allowed");
    } else if (topic.startsWith("rewrite/")) {
      v = Verdict.ok(new PublishModifiers("rewritten/" + topic.substring("rewrite/".length()),
          Payload.utf8("hooked:" + r.message().payload().asUtf8()), null, null, null));
    } else {
      v = Verdict.next();
    }
    // answered from another thread, as an HTTP or script plugin would
    return CompletableFuture.supplyAsync(() -> v);
  }

  @Override
  public CompletionStage<Verdict<SubscribeModifiers>> authOnSubscribe(SubscribeRequest r) {
    List<SubscribeModifiers.Topic> topics = new ArrayList<>();
    for (Subscription s : r.subscriptions()) {
      String f = s.filter().value();
      record(HookName.AUTH_ON_SUBSCRIBE, r.client().protocol(), r.client().clientId(), f);
      if (f.startsWith("deny/")) {
        topics.add(new SubscribeModifiers.Topic(f, SubscribeModifiers.REJECT));
      } else if (f.startsWith("rewrite/")) {
        topics.add(new SubscribeModifiers.Topic("rewritten/" + f.substring("rewrite/".length()), s.qos()));
      } else {
        topics.add(new SubscribeModifiers.Topic(f, s.qos()));
      }
    }
    return CompletableFuture.completedFuture(Verdict.ok(new SubscribeModifiers(topics)));
  }

  @Override
  public CompletionStage<Verdict<DeliverModifiers>> onDeliver(DeliverRequest r) {
    String topic = r.message().topic();
    record(HookName.ON_DELIVER, r.subscriber().protocol(), r.subscriber().clientId(), topic);
    if (topic.startsWith("deliver-rewrite/")) {
      byte[] p = ("delivered:" + r.message().payload().asUtf8()).getBytes(StandardCharsets.UTF_8);
      return CompletableFuture.completedFuture(Verdict.ok(new DeliverModifiers(null, Payload.wrapOwned(p))));
    }
    if (topic.startsWith("deliver-deny/")) {
      return CompletableFuture.completedFuture(Verdict.error("dropped"));
    }
    return Verdict.nextStage();
  }

  @Override
  public void onEvent(ClientEvent e) {
    events.add(e);
    String protocol = e.client() == null ? "-" : e.client().protocol();
    record(e.hook(), protocol, e.clientId(), e instanceof ClientEvent.Published p ? p.message().topic() : "");
  }
}
