package io.estuary.mqttsn.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.mqttsn.codec.DecodeResult;
import io.estuary.mqttsn.codec.MqttSnCodec;
import io.estuary.mqttsn.codec.MqttSnFrame;
import io.estuary.mqttsn.codec.MqttSnFrame.Connack;
import io.estuary.mqttsn.codec.MqttSnFrame.Connect;
import io.estuary.mqttsn.codec.ReturnCode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;

/** A raw MQTT-SN client over a loopback UDP socket: sends frames, waits for frames, no hidden logic. */
public final class MqttSnTestClient implements AutoCloseable {
  private final InetSocketAddress gateway;
  private final String bindHost;
  private DatagramSocket socket;

  public MqttSnTestClient(InetSocketAddress gateway) {
    this(gateway, "127.0.0.1");
  }

  /** A client whose socket is bound to {@code bindHost} (another loopback address: another source). */
  public MqttSnTestClient(InetSocketAddress gateway, String bindHost) {
    this.gateway = gateway;
    this.bindHost = bindHost;
    this.socket = open(bindHost);
  }

  private static DatagramSocket open(String bindHost) {
    try {
      DatagramSocket s = new DatagramSocket(new InetSocketAddress(bindHost, 0));
      s.setSoTimeout(5000);
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Continues from a fresh socket (a new source port), as a device does after sleeping behind a NAT. */
  public void newPort() {
    socket.close();
    socket = open(bindHost);
  }

  public int localPort() {
    return socket.getLocalPort();
  }

  public void send(MqttSnFrame frame) {
    sendRaw(MqttSnCodec.encode(frame));
  }

  public void sendRaw(byte[] bytes) {
    try {
      socket.send(new DatagramPacket(bytes, bytes.length, gateway));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The next frame within {@code timeout}, or empty. */
  public Optional<MqttSnFrame> poll(Duration timeout) {
    byte[] buf = new byte[65535];
    DatagramPacket p = new DatagramPacket(buf, buf.length);
    try {
      socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
      socket.receive(p);
    } catch (SocketTimeoutException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    DecodeResult r = MqttSnCodec.decode(Arrays.copyOf(buf, p.getLength()));
    assertThat(r).as("gateway sent a well-formed datagram").isInstanceOf(DecodeResult.Decoded.class);
    return Optional.of(((DecodeResult.Decoded) r).frame());
  }

  public MqttSnFrame receive() {
    return poll(Duration.ofSeconds(5)).orElseThrow(() -> new AssertionError("no datagram from the gateway within 5 s"));
  }

  public <T extends MqttSnFrame> T expect(Class<T> type) {
    MqttSnFrame f = receive();
    assertThat(f).isInstanceOf(type);
    return type.cast(f);
  }

  public void connect(String clientId, int keepAliveSeconds) {
    send(new Connect(false, true, keepAliveSeconds, clientId));
    assertThat(expect(Connack.class).returnCode()).isEqualTo(ReturnCode.ACCEPTED);
  }

  @Override
  public void close() {
    socket.close();
  }
}
