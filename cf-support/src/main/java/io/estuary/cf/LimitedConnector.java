package io.estuary.cf;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetSocketAddress;
import org.eclipse.californium.elements.Connector;
import org.eclipse.californium.elements.EndpointContextMatcher;
import org.eclipse.californium.elements.RawData;
import org.eclipse.californium.elements.RawDataChannel;

/**
 * A Californium {@link Connector} whose inbound datagrams pass a {@link SourceLimiter} before they reach the
 * endpoint: over its source's rate a datagram is dropped on the receiver thread, before Californium parses it,
 * deduplicates it or creates an exchange. Over a {@code DTLSConnector} the check sees decrypted records (the
 * handshake itself is bounded by Scandium: stateless cookie exchange, {@code DTLS_MAX_CONNECTIONS}). Everything
 * else is the delegate's.
 */
public final class LimitedConnector implements Connector {
  private final Connector delegate;
  private final SourceLimiter limiter;

  public LimitedConnector(Connector delegate, SourceLimiter limiter) {
    this.delegate = delegate;
    this.limiter = limiter;
  }

  public Connector delegate() {
    return delegate;
  }

  @Override
  public void setRawDataReceiver(RawDataChannel receiver) {
    delegate.setRawDataReceiver(data -> {
      if (limiter.admit(data.getInetSocketAddress())) {
        receiver.receiveData(data);
      }
    });
  }

  @Override
  public void start() throws IOException {
    delegate.start();
  }

  @Override
  public void stop() {
    delegate.stop();
  }

  @Override
  public void destroy() {
    delegate.destroy();
  }

  @Override
  public void send(RawData msg) {
    delegate.send(msg);
  }

  @Override
  public void setEndpointContextMatcher(EndpointContextMatcher matcher) {
    delegate.setEndpointContextMatcher(matcher);
  }

  @Override
  public InetSocketAddress getAddress() {
    return delegate.getAddress();
  }

  @Override
  public String getProtocol() {
    return delegate.getProtocol();
  }

  @Override
  public boolean isRunning() {
    return delegate.isRunning();
  }

  @Override
  public void processDatagram(DatagramPacket datagram) {
    delegate.processDatagram(datagram);
  }

  @Override
  public String toString() {
    return delegate.toString();
  }
}
