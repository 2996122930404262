package io.estuary.cf;

import io.estuary.api.limits.SourceTable;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.network.interceptors.MessageInterceptor;
import org.eclipse.californium.elements.EndpointContext;

/**
 * The source IP addresses of one plain UDP listener that a request from has recently succeeded: an address becomes
 * known when the listener answers it with a 2.xx response (the request passed authentication and did what it asked)
 * and stays known for {@code ttl} after the last such answer. A bounded {@link SourceTable} of at most
 * {@code maxSources} addresses, one not proven lately forgotten first (SourceTable's CLOCK), so a flood cannot grow it.
 *
 * <p>Datagrams from the other addresses — new devices, devices silent for longer than {@code ttl}, and any flood of
 * spoofed or garbage requests — share the listener's {@code unknown_datagram_rate} ({@link SourceLimiter}), checked
 * before Californium parses anything; known devices keep the listener's whole {@code max_datagram_rate}. Keyed by
 * address, not port: a device behind NAT, or a CLI tool opening a socket per request, keeps its standing. Thread-safe.
 */
public final class KnownSources {
  private final SourceTable<InetAddress, AtomicLong> table;
  private final long ttlNanos;
  private final LongSupplier nanoTime;

  public KnownSources(int maxSources, Duration ttl) {
    this(maxSources, ttl, System::nanoTime);
  }

  KnownSources(int maxSources, Duration ttl, LongSupplier nanoTime) {
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("ttl must be positive, was " + ttl);
    }
    this.table = new SourceTable<>(maxSources, a -> new AtomicLong());
    this.ttlNanos = ttl.toNanos();
    this.nanoTime = nanoTime;
  }

  /** Whether a request from {@code address} succeeded within the last ttl (does not refresh it). */
  public boolean isKnown(InetAddress address) {
    AtomicLong until = table.peek(address);
    return until != null && until.get() - nanoTime.getAsLong() > 0;
  }

  /** A request from {@code address} succeeded: known for ttl from now (one not proven lately may be forgotten). */
  public void proven(InetAddress address) {
    table.get(address).set(nanoTime.getAsLong() + ttlNanos);
  }

  /** Addresses remembered now (known or expired, at most max_sources). */
  public int size() {
    return table.size();
  }

  /** Addresses forgotten because the table was full. */
  public long evictions() {
    return table.evictions();
  }

  /** An endpoint interceptor that marks the destination of every 2.xx response as {@link #proven}. */
  public MessageInterceptor interceptor() {
    return new MessageInterceptor() {
      @Override
      public void sendResponse(Response response) {
        if (response.isSuccess()) {
          EndpointContext to = response.getDestinationContext();
          InetSocketAddress peer = to == null ? null : to.getPeerAddress();
          if (peer != null && peer.getAddress() != null) {
            proven(peer.getAddress());
          }
        }
      }
    };
  }
}
