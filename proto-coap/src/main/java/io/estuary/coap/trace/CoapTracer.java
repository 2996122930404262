package io.estuary.coap.trace;

import io.estuary.api.GatewayContext;
import io.estuary.api.PacketTrace;
import io.estuary.cf.DtlsSettings;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.californium.core.coap.EmptyMessage;
import org.eclipse.californium.core.coap.Message;
import org.eclipse.californium.core.coap.OptionSet;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.network.interceptors.MessageInterceptor;

/**
 * Writes the packets of traced clients: each request (its client id from the query's {@code clientid}, or
 * the DTLS peer identity when the query has none) in, and the responses and observe notifications with
 * the same peer and token out. While no exchange of a traced client is open, a request costs the scan of
 * its query and one map look-up ({@link GatewayContext#trace}), a response one {@code isEmpty()}.
 * Notifications of an observe relation established before the trace started are not traced.
 */
public final class CoapTracer implements MessageInterceptor {
  /**
   * Open exchanges of traced clients kept at most (observe relations stay in the table while they last); when
   * full the table is emptied.
   */
  static final int MAX_EXCHANGES = 4096;

  private final GatewayContext context;
  private final Map<String, String> exchanges = new ConcurrentHashMap<>();

  public CoapTracer(GatewayContext context) {
    this.context = context;
  }

  @Override
  public void receiveRequest(Request request) {
    String clientId = clientId(request);
    if (clientId == null) {
      return;
    }
    PacketTrace t = context.trace(clientId);
    if (t == null) {
      return;
    }
    t.in(summary(request));
    if (exchanges.size() >= MAX_EXCHANGES) {
      // entries of exchanges that never got an answer (or relations ended by RST or timeout) pile up over a
      // long trace: start over, losing the notifications of the relations still open
      exchanges.clear();
    }
    exchanges.put(key(request.getSourceContext().getPeerAddress(), request), clientId);
  }

  @Override
  public void sendResponse(Response response) {
    if (exchanges.isEmpty()) {
      return;
    }
    var destination = response.getEffectiveDestinationContext();
    if (destination == null) {
      return;
    }
    String key = key(destination.getPeerAddress(), response);
    boolean ongoing = response.getOptions().hasObserve() && response.isSuccess();
    String clientId = ongoing ? exchanges.get(key) : exchanges.remove(key);
    if (clientId == null) {
      return;
    }
    PacketTrace t = context.trace(clientId);
    if (t == null) {
      exchanges.remove(key); // the trace stopped
      return;
    }
    t.out(summary(response));
  }

  /** Number of open traced exchanges (tests). */
  int open() {
    return exchanges.size();
  }

  private static String key(InetSocketAddress peer, Message m) {
    return peer + "#" + m.getTokenString();
  }

  /** The {@code clientid} query value, else the DTLS peer's name, else null; allocates only when one is found. */
  static String clientId(Request request) {
    List<String> query = request.getOptions().getUriQueryStrings();
    for (int i = 0; i < query.size(); i++) {
      String q = query.get(i);
      if (q.startsWith("clientid=")) {
        return q.substring(9);
      }
    }
    if (request.getSourceContext() != null && request.getSourceContext().getPeerIdentity() != null) {
      return DtlsSettings.peerName(request.getSourceContext().getPeerIdentity());
    }
    return null;
  }

  /**
   * {@code CON GET mid=12 token=0a1b /ps/a/b?clientid=c1&password=*** observe=0 cf=50 payload=12 bytes}: the
   * query's password and token values are masked, the payload shown as its size.
   */
  public static String summary(Request r) {
    StringBuilder b = new StringBuilder(96).append(r.getType()).append(' ').append(r.getCode());
    head(b, r);
    OptionSet o = r.getOptions();
    b.append(" /").append(o.getUriPathString());
    List<String> query = o.getUriQueryStrings();
    for (int i = 0; i < query.size(); i++) {
      String q = query.get(i);
      b.append(i == 0 ? '?' : '&');
      int eq = q.indexOf('=');
      String name = eq < 0 ? q : q.substring(0, eq);
      if (eq >= 0 && (name.equals("password") || name.equals("token"))) {
        b.append(name).append("=***");
      } else {
        b.append(q);
      }
    }
    return tail(b, r);
  }

  /** {@code ACK 2.05 mid=12 token=0a1b observe=3 cf=50 payload=5 bytes}. */
  public static String summary(Response r) {
    StringBuilder b = new StringBuilder(64).append(r.getType()).append(' ').append(r.getCode());
    head(b, r);
    return tail(b, r);
  }

  private static void head(StringBuilder b, Message m) {
    b.append(" mid=").append(m.hasMID() ? Integer.toString(m.getMID()) : "-");
    b.append(" token=").append(m.getToken() == null ? "-" : m.getTokenString());
  }

  private static String tail(StringBuilder b, Message m) {
    OptionSet o = m.getOptions();
    if (o.hasObserve()) {
      b.append(" observe=").append(o.getObserve());
    }
    if (o.hasContentFormat()) {
      b.append(" cf=").append(o.getContentFormat());
    }
    if (o.hasMaxAge()) {
      b.append(" max-age=").append(o.getMaxAge());
    }
    return b.append(" payload=").append(m.getPayloadSize()).append(" bytes").toString();
  }

  @Override
  public void receiveEmptyMessage(EmptyMessage message) {
    // ACK/RST of notifications carry neither token nor client id: not traced
  }
}
