package io.estuary.core.hooks;

import io.estuary.api.BrokerSession;
import io.estuary.api.ClientInfo;
import io.estuary.api.CloseReason;
import io.estuary.api.Delivery;
import io.estuary.api.DeliverySink;
import io.estuary.api.hooks.DeliverRequest;
import io.estuary.api.hooks.HookName;
import io.estuary.api.hooks.Verdict;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The adapter's sink seen through {@code on_deliver}: while no plugin registered it (and nothing is still
 * in the hook), deliveries go straight to the adapter's sink. Otherwise each delivery is asked on the hook
 * stripe and handed to the adapter's executor in order, rewritten or not; a delivery a plugin refuses is
 * acknowledged (dropped for this client). Deliveries inside the hook count against {@link #credits()}, and
 * the session is told {@code creditsAvailable} as each leaves it. {@link #sessionClosed} waits for them.
 * {@link #tail} is touched only on the adapter's executor (where the broker calls a sink).
 */
final class HookedSink implements DeliverySink {
  private final DeliverySink sink;
  private final HookChain chain;
  private final ClientInfo client;
  private final HookedSession.Ending ending;
  /** The auth_on_register mountpoint modifier, or null. */
  private final Remount remount;
  private final AtomicInteger inHook = new AtomicInteger();
  private volatile BrokerSession session;
  /** Completes once the last delivery that went through the hook was handed to the adapter. */
  private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);

  HookedSink(DeliverySink sink, HookChain chain, ClientInfo client, HookedSession.Ending ending, Remount remount) {
    this.remount = remount;
    this.sink = sink;
    this.chain = chain;
    this.client = client;
    this.ending = ending;
  }

  void bind(BrokerSession s) {
    session = s;
  }

  @Override
  public Executor executor() {
    return sink.executor();
  }

  @Override
  public int credits() {
    return sink.credits() - inHook.get();
  }

  @Override
  public void deliver(Delivery delivery) {
    Delivery d = remount == null ? delivery : remount.out(delivery);
    if (tail.isDone() && !chain.has(HookName.ON_DELIVER)) {
      sink.deliver(d);
      return;
    }
    inHook.incrementAndGet();
    CompletableFuture<Verdict<io.estuary.api.hooks.DeliverModifiers>> verdict = chain.ask(HookName.ON_DELIVER,
        client.clientId(), Verdict.next(), p -> p.onDeliver(new DeliverRequest(client, d.message())));
    CompletableFuture<Void> handed = new CompletableFuture<>();
    tail.thenCombine(verdict, (x, v) -> v).thenAccept(v -> handOver(handed, () -> {
      try {
        inHook.decrementAndGet();
        if (v.isError()) {
          if (d.message().qos() > 0 && session != null) {
            session.acknowledge(d.id()); // refused for this client: nothing waits for its ack
          }
        } else if (v.isOk() && v.modifiers() != null) {
          sink.deliver(new Delivery(d.id(), v.modifiers().apply(d.message()), d.duplicate(), d.releasePending(),
              d.subscriptionIds()));
        } else {
          sink.deliver(d);
        }
      } finally {
        handed.complete(null);
        BrokerSession s = session;
        if (s != null) {
          s.creditsAvailable();
        }
      }
    }));
    tail = handed;
  }

  /** Runs {@code task} on the adapter's executor; if that is gone, completes {@code handed} so nothing waits forever. */
  private void handOver(CompletableFuture<Void> handed, Runnable task) {
    try {
      sink.executor().execute(task);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      handed.complete(null);
    }
  }

  @Override
  public void deliver(List<Delivery> deliveries) {
    if (tail.isDone() && !chain.has(HookName.ON_DELIVER) && remount == null) {
      sink.deliver(deliveries);
      return;
    }
    for (Delivery d : deliveries) {
      deliver(d);
    }
  }

  @Override
  public void sessionClosed(CloseReason reason) {
    ending.ended(reason);
    if (tail.isDone()) {
      sink.sessionClosed(reason);
    } else {
      tail.thenRun(() -> sink.executor().execute(() -> sink.sessionClosed(reason)));
    }
  }

  @Override
  public Map<String, Object> attributes() {
    return sink.attributes();
  }
}
