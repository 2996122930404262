package io.estuary.cf;

import io.estuary.api.AdapterConfig;
import io.estuary.api.limits.SourceTable;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.Message;
import org.eclipse.californium.core.coap.MessageObserver;
import org.eclipse.californium.core.coap.MessageObserverAdapter;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.network.interceptors.MessageInterceptor;
import org.eclipse.californium.elements.EndpointContext;

/**
 * The source IP addresses of one plain UDP listener that have recently proven themselves: an address becomes known
 * by the listener's {@link Rule} — with {@code reachable} (the default) when it answers one of our CON messages
 * ({@link #reachabilityInterceptor}) or gives a protocol's own proof ({@link #proven}: a CoAP connection token, an
 * LwM2M registration update); with {@code answered} when the listener answers it with a 2.xx ({@link
 * #successInterceptor}) — and stays known for {@code ttl} after the last proof. A bounded {@link SourceTable} of at
 * most {@code maxSources} addresses, one not proven lately forgotten first (SourceTable's CLOCK), so a flood cannot
 * grow it.
 *
 * <p>Datagrams from the other addresses — new devices, devices silent for longer than {@code ttl}, and any flood of
 * spoofed or garbage requests — share the listener's {@code unknown_datagram_rate} ({@link SourceLimiter}), checked
 * before Californium parses anything; known devices keep the listener's whole {@code max_datagram_rate}. Keyed by
 * address, not port: a device behind NAT, or a CLI tool opening a socket per request, keeps its standing. Thread-safe.
 */
public final class KnownSources {
  /** What makes an address known ({@code known_source_rule}). */
  public enum Rule {
    /**
     * The address showed it receives what the listener sends ({@link #reachabilityInterceptor}, plus the protocol's
     * own proofs: a CoAP connection token, an LwM2M registration update): proofs a spoofed source cannot give.
     */
    REACHABLE,
    /** Any 2.xx answer to the address ({@link #successInterceptor}): spoofed requests that succeed count too. */
    ANSWERED;

    /** {@code known_source_rule} of {@code c} ({@code reachable} or {@code answered}); a bad value names the key. */
    public static Rule read(AdapterConfig c) {
      return switch (c.getString("known_source_rule")) {
        case "reachable" -> REACHABLE;
        case "answered" -> ANSWERED;
        default -> throw c.invalid("known_source_rule", "reachable or answered");
      };
    }
  }

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

  /** Whether {@code address} proved itself within the last ttl (does not refresh it). */
  public boolean isKnown(InetAddress address) {
    AtomicLong until = table.peek(address);
    return until != null && until.get() - nanoTime.getAsLong() > 0;
  }

  /** {@code address} proved itself: known for ttl from now (one not proven lately may be forgotten). */
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

  /** The interceptor that proves addresses by {@code rule}, for the listener's endpoint. */
  public MessageInterceptor interceptor(Rule rule) {
    return rule == Rule.REACHABLE ? reachabilityInterceptor() : successInterceptor();
  }

  /**
   * An endpoint interceptor that marks the destination of every 2.xx response as {@link #proven} ({@code
   * known_source_rule = answered}: a CoAP publish's 2.04, an LwM2M registration's 2.01). A spoofed request that
   * succeeds makes its forged address known: the rule trusts that requests which succeed come from their source.
   */
  public MessageInterceptor successInterceptor() {
    return new MessageInterceptor() {
      @Override
      public void sendResponse(Response response) {
        if (response.isSuccess()) {
          InetAddress peer = peer(response);
          if (peer != null) {
            proven(peer);
          }
        }
      }
    };
  }

  /**
   * An endpoint interceptor that marks an address as {@link #proven} only when it shows it receives what the
   * listener sends: it acknowledges or rejects (RST) one of the listener's CON messages — a ping to an unproven
   * observer, a CON notification, a separate response — or answers a CON request of ours. Those carry a message id
   * only a receiver at that address has seen, so a spoofed source cannot make its forged address known ({@code
   * known_source_rule = reachable}); other proofs, such as a connection token only that address was given,
   * call {@link #proven} directly.
   */
  public MessageInterceptor reachabilityInterceptor() {
    return new MessageInterceptor() {
      @Override
      public void sendRequest(Request request) {
        watch(request);
      }

      @Override
      public void sendResponse(Response response) {
        watch(response);
      }
    };
  }

  private void watch(Message message) {
    if (message.getType() != CoAP.Type.CON) {
      return;
    }
    InetAddress peer = peer(message);
    if (peer == null) {
      return;
    }
    for (MessageObserver o : message.getMessageObservers()) {
      if (o instanceof Reached r && r.owner() == this) {
        return; // a retransmission: watched already
      }
    }
    message.addMessageObserver(new Reached(this, peer));
  }

  private static InetAddress peer(Message message) {
    EndpointContext to = message.getDestinationContext();
    InetSocketAddress peer = to == null ? null : to.getPeerAddress();
    return peer == null ? null : peer.getAddress();
  }

  /** Watches one CON message of ours: its ACK, RST or response proves the address it went to. */
  private static final class Reached extends MessageObserverAdapter {
    private final KnownSources owner;
    private final InetAddress peer;

    Reached(KnownSources owner, InetAddress peer) {
      this.owner = owner;
      this.peer = peer;
    }

    KnownSources owner() {
      return owner;
    }

    @Override
    public void onAcknowledgement() {
      owner.proven(peer);
    }

    @Override
    public void onReject() {
      owner.proven(peer);
    }

    @Override
    public void onResponse(Response response) {
      owner.proven(peer);
    }
  }
}
