package io.estuary.cf;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetSocketAddress;
import org.eclipse.californium.elements.Connector;
import org.eclipse.californium.elements.EndpointContextMatcher;
import org.eclipse.californium.elements.RawData;
import org.eclipse.californium.elements.RawDataChannel;
import org.eclipse.californium.elements.UDPConnector;

/**
 * A Californium {@link Connector} whose inbound datagrams pass a {@link SourceLimiter} before they reach the
 * endpoint: over its source's rate a datagram is dropped on the receiver thread, before Californium parses it,
 * deduplicates it or creates an exchange. Over a {@code DTLSConnector} the check sees decrypted records (the
 * handshake itself is bounded by Scandium: stateless cookie exchange, {@code DTLS_MAX_CONNECTIONS}). Everything
 * else is the delegate's.
 *
 * <p>Over a plain {@link UDPConnector} the listener-wide {@code max_datagram_rate} pauses the reader instead of
 * dropping: Californium 4's {@code UDPConnector.Receiver.work()} loops {@code socket.receive(packet)} →
 * {@code processDatagram(packet)} → {@link RawDataChannel#receiveData} synchronously on the receiver thread, so
 * parking in the channel installed here keeps that thread from reading the next datagram and the excess is dropped by
 * the kernel, unread. Scandium's {@code DTLSConnector} hands decrypted records to the channel on its connection
 * executors, not on the reader, so over DTLS the budget keeps dropping (a pause would block a worker, not the socket).
 */
public final class LimitedConnector implements Connector {
  private final Connector delegate;
  private final SourceLimiter limiter;
  private final boolean pauseReader;

  /** Pauses the reader over max_datagram_rate when {@code delegate} is a plain {@link UDPConnector}. */
  public LimitedConnector(Connector delegate, SourceLimiter limiter) {
    this(delegate, limiter, delegate instanceof UDPConnector);
  }

  /**
   * {@code pauseReader}: whether {@code delegate} calls the receiver on the thread that reads its socket (then
   * max_datagram_rate parks that thread instead of dropping); false drops. For tests and benchmarks comparing both.
   */
  public LimitedConnector(Connector delegate, SourceLimiter limiter, boolean pauseReader) {
    this.delegate = delegate;
    this.limiter = limiter;
    this.pauseReader = pauseReader;
  }

  public Connector delegate() {
    return delegate;
  }

  @Override
  public void setRawDataReceiver(RawDataChannel receiver) {
    delegate.setRawDataReceiver(data -> {
      if (limiter.admit(data.getInetSocketAddress(), pauseReader)) {
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
