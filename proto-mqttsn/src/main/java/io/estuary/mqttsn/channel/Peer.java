package io.estuary.mqttsn.channel;

import io.estuary.api.Payload;
import io.estuary.mqttsn.codec.MqttSnFrame;
import io.estuary.mqttsn.codec.MqttSnFrame.Encapsulated;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Where a client is: the UDP/DTLS address datagrams come from and go to and, for a client behind a
 * forwarder (MQTT-SN 1.2 §5.5), its wireless node id (null for a directly attached client). One
 * forwarder address carries many clients, told apart by node id.
 */
public record Peer(InetSocketAddress address, Payload wirelessNodeId) {
  public Peer {
    Objects.requireNonNull(address, "address");
  }

  public static Peer direct(InetSocketAddress address) {
    return new Peer(address, null);
  }

  /** The frame as it must go out: encapsulated for the forwarder when the client is behind one. */
  MqttSnFrame wrap(MqttSnFrame frame) {
    return wirelessNodeId == null ? frame : new Encapsulated(0, wirelessNodeId, frame);
  }

  @Override
  public String toString() {
    return wirelessNodeId == null ? String.valueOf(address)
        : address + " node " + HexFormat.of().formatHex(wirelessNodeId.toByteArray());
  }
}
