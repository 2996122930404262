package io.estuary.coap.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.eclipse.californium.core.coap.CoAP.Type;
import org.eclipse.californium.core.coap.EmptyMessage;
import org.eclipse.californium.core.coap.Message;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Token;
import org.eclipse.californium.core.network.serialization.UdpDataParser;
import org.eclipse.californium.core.network.serialization.UdpDataSerializer;

/**
 * A bare UDP socket speaking CoAP through Californium's serializer and parser only: no exchange layer,
 * no automatic ACKs or retransmissions — the test decides what the "device" answers.
 */
public final class RawCoapPeer implements AutoCloseable {
  private final DatagramSocket socket;
  private final InetSocketAddress server;
  private final UdpDataSerializer serializer = new UdpDataSerializer();
  private final UdpDataParser parser = new UdpDataParser();
  private int mid = 1;

  public RawCoapPeer(InetSocketAddress server) {
    this(server, InetAddress.getLoopbackAddress());
  }

  /** A peer on its own source address ({@code 127.0.0.2}: Linux answers for all of 127.0.0.0/8). */
  public RawCoapPeer(InetSocketAddress server, InetAddress local) {
    this.server = server;
    try {
      socket = new DatagramSocket(new InetSocketAddress(local, 0));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sends a CON GET with Observe 0 on {@code path} ("ps/a/b") with {@code query} ("clientid=x"). */
  public Token observe(String path, String query, byte tokenByte) {
    Request r = Request.newGet();
    r.setType(Type.CON);
    r.getOptions().setUriPath(path).setUriQuery(query).setObserve(0);
    Token token = Token.fromProvider(new byte[] {tokenByte});
    r.setToken(token);
    send(r);
    return token;
  }

  /** Sends an empty ACK for {@code m} (RFC 7252 §4.2). */
  public void ack(Message m) {
    EmptyMessage ack = EmptyMessage.newACK(m);
    ack.setMID(m.getMID());
    ack.setToken(Token.EMPTY); // an empty ACK carries no token (RFC 7252 §4.1)
    sendRaw(serializer.getByteArray(ack));
  }

  /** Sends an RST for {@code m}: the answer to a CoAP ping (an empty CON, RFC 7252 §4.3). */
  public void reject(Message m) {
    EmptyMessage rst = EmptyMessage.newRST(m);
    rst.setMID(m.getMID());
    rst.setToken(Token.EMPTY);
    sendRaw(serializer.getByteArray(rst));
  }

  /** Whether {@code m} is a CoAP ping: an empty confirmable message. */
  public static boolean isPing(Message m) {
    return m instanceof EmptyMessage && m.getType() == Type.CON;
  }

  /** Sends {@code m} with the next message id. */
  public void send(Message m) {
    m.setMID(mid++);
    sendRaw(serializer.getByteArray(m));
  }

  /** Sends {@code m} again with the message id it was sent with: a retransmission (RFC 7252 §4.2). */
  public void resend(Message m) {
    sendRaw(serializer.getByteArray(m));
  }

  private void sendRaw(byte[] bytes) {
    try {
      socket.send(new DatagramPacket(bytes, bytes.length, server));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The next message from the gateway, or null when none arrives within {@code wait}. */
  public Message receive(Duration wait) {
    byte[] buf = new byte[2048];
    DatagramPacket p = new DatagramPacket(buf, buf.length);
    try {
      socket.setSoTimeout((int) Math.max(1, wait.toMillis()));
      socket.receive(p);
      return parser.parseMessage(Arrays.copyOf(buf, p.getLength()));
    } catch (SocketTimeoutException e) {
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every message that arrives within {@code window} (the whole window): to check that nothing (more) comes. */
  public List<Message> receiveFor(Duration window) {
    List<Message> out = new ArrayList<>();
    long end = System.nanoTime() + window.toNanos();
    for (long left = window.toNanos(); left > 0; left = end - System.nanoTime()) {
      Message m = receive(Duration.ofNanos(left));
      if (m != null) {
        out.add(m);
      }
    }
    return out;
  }

  @Override
  public void close() {
    socket.close();
  }
}
