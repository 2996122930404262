package io.estuary.core.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import io.estuary.api.ClientInfo;
import io.estuary.api.Subscription;
import io.estuary.api.hooks.HookName;
import io.estuary.api.hooks.HookPlugin;
import io.estuary.api.hooks.PublishModifiers;
import io.estuary.api.hooks.PublishRequest;
import io.estuary.api.hooks.SubscribeModifiers;
import io.estuary.api.hooks.SubscribeRequest;
import io.estuary.api.hooks.Verdict;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code authorization.http}: EMQX 5's HTTP authorization, asked for every publish and subscribe with
 * {@code ${topic}} and {@code ${action}} (publish / subscribe). It runs as a plugin of the hook chain
 * (auth_on_publish, auth_on_subscribe), so the HTTP call is asynchronous and never on an I/O thread:
 * {@code allow} grants as far as it is concerned (the sources listed after {@code http} may still deny),
 * {@code deny} refuses, {@code ignore} (or any failure, as in EMQX) passes on. The sources listed BEFORE
 * {@code http} in {@code authorization.sources} are asked first, as EMQX's chain does: when one of them
 * matches, its answer stands and the HTTP service is not called. Thread-safe.
 */
public final class HttpAuthzPlugin implements HookPlugin {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The sources listed before http: TRUE allow, FALSE deny, null no match. */
  public interface Before {
    Boolean decide(ClientInfo client, Authorizer.Action action, String topic);
  }

  /** null once a reload dropped http from authorization.sources: every call passes on. */
  private volatile HttpRequestTemplate request;
  private final HttpClient http;
  private final Before before;

  public HttpAuthzPlugin(Config c, HttpClient http) {
    this(c, http, (client, action, topic) -> null);
  }

  public HttpAuthzPlugin(Config c, HttpClient http, Before before) {
    this.request = new HttpRequestTemplate(c, "authorization.http");
    this.http = http;
    this.before = before;
  }

  @Override
  public String name() {
    return "http_authz";
  }

  @Override
  public Set<HookName> hooks() {
    return EnumSet.of(HookName.AUTH_ON_PUBLISH, HookName.AUTH_ON_SUBSCRIBE);
  }

  /** A reload: the new {@code authorization.http} block, or null when the sources no longer name http. */
  public void reload(Config c) {
    request = c == null ? null : new HttpRequestTemplate(c, "authorization.http");
  }

  private CompletableFuture<String> ask(ClientInfo c, String action, String topic) {
    HttpRequestTemplate template = request;
    if (template == null) {
      return CompletableFuture.completedFuture("ignore");
    }
    Boolean earlier = before.decide(c, action.equals("publish") ? Authorizer.Action.PUBLISH : Authorizer.Action.SUBSCRIBE,
        topic);
    if (earlier != null) {
      return CompletableFuture.completedFuture(earlier ? "allow" : "deny");
    }
    Map<String, String> v = new HashMap<>();
    v.put("username", c.username());
    v.put("clientid", c.clientId());
    v.put("peerhost", c.peer() == null || c.peer().getAddress() == null ? null : c.peer().getAddress().getHostAddress());
    v.put("protocol", c.protocol());
    v.put("topic", topic);
    v.put("action", action);
    v.put("mountpoint", c.mountpoint());
    return http.sendAsync(template.build(v), HttpResponse.BodyHandlers.ofString()).handle((r, err) -> {
      if (err != null) {
        return "ignore";
      }
      if (r.statusCode() == 204) {
        return "allow";
      }
      if (r.statusCode() != 200) {
        return "ignore";
      }
      try {
        JsonNode b = JSON.readTree(r.body());
        return b.path("result").asText("ignore");
      } catch (Exception e) {
        return "ignore";
      }
    });
  }

  @Override
  public CompletionStage<Verdict<PublishModifiers>> authOnPublish(PublishRequest r) {
    return ask(r.client(), "publish", r.message().topic()).thenApply(HttpAuthzPlugin::verdict);
  }

  @Override
  public CompletionStage<Verdict<SubscribeModifiers>> authOnSubscribe(SubscribeRequest r) {
    List<CompletableFuture<String>> answers = new ArrayList<>();
    for (Subscription s : r.subscriptions()) {
      answers.add(ask(r.client(), "subscribe", s.filter().value()));
    }
    return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).thenApply(x -> {
      List<SubscribeModifiers.Topic> topics = new ArrayList<>();
      boolean anyAnswer = false;
      for (int i = 0; i < answers.size(); i++) {
        String a = answers.get(i).join();
        Subscription s = r.subscriptions().get(i);
        anyAnswer |= !a.equals("ignore");
        topics.add(new SubscribeModifiers.Topic(s.filter().value(), a.equals("deny") ? SubscribeModifiers.REJECT : s.qos()));
      }
      return anyAnswer ? Verdict.ok(new SubscribeModifiers(topics)) : Verdict.next();
    });
  }

  private static <M> Verdict<M> verdict(String a) {
    return switch (a) {
      case "allow" -> Verdict.ok();
      case "deny" -> Verdict.error("not_authorized");
      default -> Verdict.next();
    };
  }
}
