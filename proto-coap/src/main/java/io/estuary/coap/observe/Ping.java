package io.estuary.coap.observe;

import org.eclipse.californium.core.coap.CoAP.Type;
import org.eclipse.californium.core.coap.MessageObserverAdapter;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.coap.Token;
import org.eclipse.californium.core.network.Endpoint;
import org.eclipse.californium.core.network.Exchange;

/**
 * A CoAP ping (RFC 7252 §4.3: an empty CON message, which every endpoint answers with RST) to the address an observe
 * came from: the answer echoes a message id only a real receiver at that address has seen, so it proves the address
 * is not spoofed. A few bytes, retransmitted as any CON until it is answered or {@link #cancel}led. Sent and
 * answered on Californium's threads; {@code answered} runs at most once.
 */
public final class Ping {
  private final Request request;

  private Ping(Request request) {
    this.request = request;
  }

  /** Pings the source of {@code observe}'s request through the endpoint it came in on. */
  public static Ping send(Exchange observe, Runnable answered) {
    Request ping = new Request(null, Type.CON);
    ping.setToken(Token.EMPTY);
    ping.setDestinationContext(observe.getRequest().getSourceContext());
    ping.addMessageObserver(new MessageObserverAdapter() {
      @Override
      public void onReject() {
        answered.run();
      }

      @Override
      public void onResponse(Response response) {
        answered.run();
      }

      @Override
      public void onAcknowledgement() {
        answered.run();
      }
    });
    Endpoint ep = observe.getEndpoint();
    ep.sendRequest(ping);
    return new Ping(ping);
  }

  /** Stops retransmitting (the device closed or proved itself otherwise). */
  public void cancel() {
    if (!request.isRejected() && !request.isAcknowledged()) {
      request.cancel();
    }
  }
}
