package io.estuary.coap.resource;

import io.estuary.coap.CoapDevice;
import io.estuary.coap.mapping.RequestQuery;
import io.estuary.api.CloseReason;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.CoapExchange;

/**
 * {@code /mqtt/connection} (EMQX connection mode): POST {@code ?clientid=&username=&password=} → 2.01
 * with the token as payload; PUT {@code ?clientid=&token=} → 2.04 (heartbeat); DELETE → 2.02.
 */
public final class ConnectionResource extends CoapResource {
  private final RequestSupport support;

  public ConnectionResource(RequestSupport support) {
    super("connection");
    this.support = support;
  }

  @Override
  public void handlePOST(CoapExchange ex) {
    RequestQuery q = support.query(ex);
    if (q == null) {
      return;
    }
    if (q.clientId() == null) {
      support.reject(ex, ResponseCode.BAD_REQUEST, "clientid required");
      return;
    }
    support.authenticate(ex, q.clientId(), q).whenComplete((auth, err) -> {
      if (support.refused(ex, auth, err)) {
        return;
      }
      support.registry.connect(support.clientInfo(ex, q.clientId(), q.username())).whenComplete((device, e2) -> {
        if (e2 != null) {
          support.sessionFailed(ex, e2);
        } else {
          ex.respond(ResponseCode.CREATED, device.token(), MediaTypeRegistry.TEXT_PLAIN);
        }
      });
    });
  }

  @Override
  public void handlePUT(CoapExchange ex) {
    RequestQuery q = support.query(ex);
    if (q == null) {
      return;
    }
    if (support.connectedDevice(ex, q) != null) {
      ex.respond(ResponseCode.CHANGED);
    }
  }

  @Override
  public void handleDELETE(CoapExchange ex) {
    RequestQuery q = support.query(ex);
    if (q == null) {
      return;
    }
    CoapDevice d = support.connectedDevice(ex, q);
    if (d != null) {
      d.executor().execute(() -> {
        d.close(CloseReason.NORMAL);
        ex.respond(ResponseCode.DELETED);
      });
    }
  }
}
