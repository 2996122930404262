package io.estuary.lwm2m.registration;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import org.eclipse.leshan.core.endpoint.DefaultEndPointUriHandler;
import org.eclipse.leshan.core.endpoint.EndPointUriHandler;
import org.eclipse.leshan.core.endpoint.EndpointUri;

/** Leshan's endpoint URIs ({@link EndpointUri}, since 2.0.0-M16) to and from {@link URI}s. Stateless. */
public final class Lwm2mUris {
  private static final EndPointUriHandler HANDLER = new DefaultEndPointUriHandler();

  private Lwm2mUris() {}

  /** {@code scheme://host:port} of a bind address. */
  public static EndpointUri of(String scheme, InetSocketAddress a) {
    return HANDLER.createUri(toUri(scheme, a));
  }

  public static EndpointUri of(URI uri) {
    return HANDLER.createUri(uri);
  }

  /** {@code u} as a {@link URI} ({@code scheme://host:port}). */
  public static URI toUri(EndpointUri u) {
    String host = u.getHost();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    try {
      return new URI(u.getScheme(), null, host, u.getPort() == null ? -1 : u.getPort(), null, null, null);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not an endpoint URI: " + u, e);
    }
  }

  /** The URI of a bind address ({@code scheme://host:port}). */
  public static URI toUri(String scheme, InetSocketAddress a) {
    try {
      return new URI(scheme, null, a.getHostString(), a.getPort(), null, null, null);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a bind address: " + a, e);
    }
  }
}
