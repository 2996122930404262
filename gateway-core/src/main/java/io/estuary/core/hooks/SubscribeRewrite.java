package io.estuary.core.hooks;

import io.estuary.api.BrokerSession;
import io.estuary.api.ClientInfo;
import io.estuary.api.SubscribeOutcome;
import io.estuary.api.Subscription;
import io.estuary.api.TopicFilter;
import io.estuary.api.hooks.ClientEvent;
import io.estuary.api.hooks.HookName;
import io.estuary.api.hooks.SubscribeModifiers;
import io.estuary.api.hooks.Verdict;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies auth_on_subscribe's answer to a subscribe (VerneMQ's semantics): ERROR refuses every filter;
 * OK with modifiers replaces each filter and QoS in place, QoS 128 refusing that one; then the core's
 * session subscribes what is left and the outcomes are put back in the requested order. Runs on the
 * adapter's executor.
 */
final class SubscribeRewrite {
  private static final Logger DROPS = LoggerFactory.getLogger("io.estuary.core.hooks.drops");

  private SubscribeRewrite() {
  }

  static void apply(Verdict<SubscribeModifiers> v, List<Subscription> requested, BrokerSession session, HookChain chain,
      ClientInfo client, CompletableFuture<List<SubscribeOutcome>> out) {
    SubscribeOutcome[] outcomes = new SubscribeOutcome[requested.size()];
    List<Subscription> asked = new ArrayList<>();
    List<Integer> at = new ArrayList<>();
    List<SubscribeModifiers.Topic> topics = v.isOk() && v.modifiers() != null ? v.modifiers().topics() : null;
    if (v.isError() || topics != null && topics.size() != requested.size()) {
      if (!v.isError()) {
        DROPS.debug("auth_on_subscribe for {} answered {} topics for {} filters: refused", client.clientId(),
            topics.size(), requested.size());
      }
      chain.refused(HookName.AUTH_ON_SUBSCRIBE);
      Arrays.fill(outcomes, SubscribeOutcome.failed(SubscribeOutcome.Failure.NOT_AUTHORIZED));
      out.complete(List.of(outcomes));
      return;
    }
    for (int i = 0; i < requested.size(); i++) {
      Subscription s = requested.get(i);
      if (topics != null) {
        SubscribeModifiers.Topic t = topics.get(i);
        if (t.qos() == SubscribeModifiers.REJECT) {
          outcomes[i] = SubscribeOutcome.failed(SubscribeOutcome.Failure.NOT_AUTHORIZED);
          continue;
        }
        s = new Subscription(new TopicFilter(t.filter()), t.qos(), s.noLocal(), s.retainAsPublished(),
            s.retainHandling(), s.subscriptionId());
      }
      asked.add(s);
      at.add(i);
    }
    if (asked.isEmpty()) {
      chain.refused(HookName.AUTH_ON_SUBSCRIBE);
      out.complete(List.of(outcomes));
      return;
    }
    session.subscribe(asked).whenComplete((got, err) -> {
      if (err != null) {
        out.completeExceptionally(err);
        return;
      }
      List<SubscribeModifiers.Topic> granted = new ArrayList<>();
      for (int j = 0; j < got.size(); j++) {
        outcomes[at.get(j)] = got.get(j);
        if (got.get(j).isGranted()) {
          granted.add(new SubscribeModifiers.Topic(asked.get(j).filter().value(), got.get(j).grantedQos()));
        }
      }
      out.complete(List.of(outcomes));
      if (!granted.isEmpty() && chain.has(HookName.ON_SUBSCRIBE)) {
        chain.tell(new ClientEvent.Subscribed(client, granted));
      }
    });
  }
}
