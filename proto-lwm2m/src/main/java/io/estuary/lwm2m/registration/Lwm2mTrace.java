package io.estuary.lwm2m.registration;

import java.util.Date;
import java.util.List;
import org.eclipse.leshan.core.link.Link;
import org.eclipse.leshan.core.request.CancelCompositeObservationRequest;
import org.eclipse.leshan.core.request.DownlinkDeviceManagementRequest;
import org.eclipse.leshan.core.request.ObserveCompositeRequest;
import org.eclipse.leshan.core.request.ReadCompositeRequest;
import org.eclipse.leshan.core.request.SimpleDownlinkRequest;
import org.eclipse.leshan.core.request.WriteCompositeRequest;
import org.eclipse.leshan.core.response.LwM2mResponse;
import org.eclipse.leshan.server.registration.Registration;

/**
 * One-line summaries of LwM2M packets for client traces ({@code estuary ctl trace start client=<endpoint>}):
 * the operation and its paths, registration fields, response codes, payloads as their size; never values,
 * never credentials. Stateless; any thread.
 */
public final class Lwm2mTrace {
  /** Object links listed in a summary or the client listing at most. */
  public static final int MAX_LINKS = 32;

  private Lwm2mTrace() {}

  /** {@code REGISTER ep=dev lwm2m=1.1 lifetime=300 binding=U queue=false objects=/1/0,/3/0 id=…}. */
  static String registration(String op, Registration reg) {
    return op + " ep=" + reg.getEndpoint() + " lwm2m=" + reg.getLwM2mVersion() + " lifetime=" + reg.getLifeTimeInSec()
        + " binding=" + binding(reg) + " queue=" + reg.usesQueueMode() + " objects=" + objects(reg) + " id="
        + reg.getId();
  }

  /** The registration's binding modes as LwM2M writes them ({@code UQ}). */
  static String binding(Registration reg) {
    StringBuilder b = new StringBuilder();
    reg.getBindingMode().forEach(m -> b.append(m.name()));
    return b.toString();
  }

  /** The object links' paths ({@code /1/0,/3/0,/3303/0}), at most {@link #MAX_LINKS}, then {@code ,…(+n)}. */
  static String objects(Registration reg) {
    Link[] links = reg.getObjectLinks();
    if (links == null) {
      return "";
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < links.length && i < MAX_LINKS; i++) {
      b.append(i == 0 ? "" : ",").append(links[i].getUriReference());
    }
    if (links.length > MAX_LINKS) {
      b.append(",…(+").append(links.length - MAX_LINKS).append(')');
    }
    return b.toString();
  }

  /** {@code READ /3/0/1}, {@code OBSERVE-COMPOSITE [/3/0/1, /3303/0/5700]}: the operation and its path(s). */
  static String request(DownlinkDeviceManagementRequest<?> r) {
    String name = r.getClass().getSimpleName();
    if (name.endsWith("Request")) {
      name = name.substring(0, name.length() - "Request".length());
    }
    name = name.replaceAll("([a-z])([A-Z])", "$1-$2").toUpperCase(java.util.Locale.ROOT);
    if (r instanceof SimpleDownlinkRequest<?> s && s.getPath() != null) {
      return name + " " + s.getPath();
    }
    List<?> paths = r instanceof ReadCompositeRequest c ? c.getPaths()
        : r instanceof ObserveCompositeRequest c ? c.getPaths()
        : r instanceof CancelCompositeObservationRequest c ? c.getPaths()
        : r instanceof WriteCompositeRequest c ? List.copyOf(c.getNodes().keySet()) : null;
    return paths == null ? name : name + " " + paths;
  }

  /** {@code 2.05 CONTENT payload=12 bytes} (the size from the CoAP response when there is one). */
  static String response(String what, LwM2mResponse r) {
    String s = what + " " + r.getCode();
    if (r.getCoapResponse() instanceof org.eclipse.californium.core.coap.Response coap) {
      s += " payload=" + coap.getPayloadSize() + " bytes";
    }
    return r.getErrorMessage() == null ? s : s + " error=" + r.getErrorMessage();
  }

  /** The last update as ISO-8601, or null. */
  static String instant(Date d) {
    return d == null ? null : d.toInstant().toString();
  }
}
