package io.estuary.coap.observe;

import io.estuary.coap.mapping.ContentFormats;
import io.estuary.coap.mapping.NotifyType;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.CoAP.Type;
import org.eclipse.californium.core.coap.MessageObserverAdapter;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.network.Exchange;
import org.eclipse.californium.core.observe.ObserveRelation;
import org.eclipse.californium.core.CoapExchange;

/**
 * One observe relation on {@code /ps/{filter}}: the subscription's filter and id, and a queue of
 * notifications sent strictly one after the other. Every method runs on {@code executor} (the device's
 * serial executor); Californium's callbacks are handed back to it.
 */
public final class Observer {
  /** RFC 7641 §4.4: the Observe option is a 24-bit sequence number. */
  private static final int OBSERVE_MASK = 0xFF_FFFF;

  private final Exchange exchange;
  private final String filter;
  private final int subscriptionId;
  private final NotifyType notifyType;
  private final Executor executor;
  private final ObserverEvents events;
  private final ArrayDeque<Notification> queue = new ArrayDeque<>();
  private int sequence;
  private boolean started;
  private boolean inFlight;
  private boolean closed;

  public Observer(Exchange exchange, String filter, int subscriptionId, NotifyType notifyType, Executor executor,
      ObserverEvents events) {
    this.exchange = exchange;
    this.filter = filter;
    this.subscriptionId = subscriptionId;
    this.notifyType = notifyType;
    this.executor = executor;
    this.events = events;
  }

  public String filter() {
    return filter;
  }

  public int subscriptionId() {
    return subscriptionId;
  }

  public ObserveRelation relation() {
    return exchange.getRelation();
  }

  public int queued() {
    return queue.size() + (inFlight ? 1 : 0);
  }

  /**
   * Answers the observe GET with 2.05 and an Observe option: the relation is established.
   * Notifications queued before this wait for it (a retained message may be delivered before the
   * broker's subscribe answer arrives).
   */
  public void start() {
    if (closed || started) {
      return;
    }
    started = true;
    Response r = new Response(ResponseCode.CONTENT);
    r.getOptions().setObserve(nextSequence());
    send(r, null);
  }

  public void enqueue(Notification n) {
    if (closed) {
      n.done().completed(false);
      return;
    }
    queue.add(n);
    pump();
  }

  /**
   * Ends the relation. With a {@code code}, the client is told with that final non-2.xx notification
   * (RFC 7641 §3.2); queued notifications complete as not delivered.
   */
  public void close(ResponseCode code) {
    if (closed) {
      return;
    }
    closed = true;
    failQueued();
    ObserveRelation relation = exchange.getRelation();
    if (code != null && relation != null && !relation.isCanceled()) {
      Response r = new Response(code);
      r.setType(Type.CON);
      new CoapExchange(exchange).respond(r);
    } else if (relation != null && !relation.isCanceled()) {
      relation.cancel();
    }
  }

  /**
   * Ends the observer without touching the relation, when the caller is about to answer the observe
   * GET with an error itself: that error response ends the relation (RFC 7641 §3.2), and cancelling
   * first would make Californium drop the response.
   */
  public void abandon() {
    closed = true;
    failQueued();
  }

  public boolean isClosed() {
    return closed;
  }

  private void pump() {
    if (!started || inFlight || closed || queue.isEmpty()) {
      return;
    }
    Notification n = queue.poll();
    Response r = new Response(ResponseCode.CONTENT);
    // a NON stream to an address that never answers is bounded: every max_unanswered_notifications-th goes CON
    boolean con = notifyType.confirmable(n.message().qos()) || !events.mayNotifyNon();
    r.setType(con ? Type.CON : Type.NON);
    r.setPayload(n.message().payload().toByteArray());
    int cf = ContentFormats.toContentFormat(n.message().properties().contentType());
    if (cf >= 0) {
      r.getOptions().setContentFormat(cf);
    }
    r.getOptions().setObserve(nextSequence());
    send(r, n);
  }

  private int nextSequence() {
    sequence = (sequence + 1) & OBSERVE_MASK;
    return sequence;
  }

  private void send(Response r, Notification n) {
    inFlight = true;
    AtomicBoolean once = new AtomicBoolean();
    r.addMessageObserver(new MessageObserverAdapter() {
      @Override
      public void onSent(boolean retransmission) {
        if (r.getType() != Type.CON) {
          finish(true, null);
        }
      }

      @Override
      public void onAcknowledgement() {
        executor.execute(() -> events.acknowledged(Observer.this));
        finish(true, null);
      }

      @Override
      public void onTimeout() {
        finish(false, "confirmable notification timed out");
      }

      @Override
      public void onReject() {
        finish(false, "client rejected the notification (RST)");
      }

      @Override
      public void onCancel() {
        finish(false, null);
      }

      @Override
      public void onSendError(Throwable error) {
        finish(false, null);
      }

      private void finish(boolean delivered, String lostBecause) {
        if (once.compareAndSet(false, true)) {
          executor.execute(() -> completed(n, delivered, lostBecause));
        }
      }
    });
    new CoapExchange(exchange).respond(r);
  }

  private void completed(Notification n, boolean delivered, String lostBecause) {
    inFlight = false;
    if (n != null) {
      n.done().completed(delivered);
    }
    if (lostBecause != null && !closed) {
      closed = true;
      failQueued();
      ObserveRelation relation = exchange.getRelation();
      if (relation != null && !relation.isCanceled()) {
        relation.cancel();
      }
      events.lost(this, lostBecause);
      return;
    }
    pump();
  }

  private void failQueued() {
    Notification q;
    while ((q = queue.poll()) != null) {
      q.done().completed(false);
    }
  }
}
