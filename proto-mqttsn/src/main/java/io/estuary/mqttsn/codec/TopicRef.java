package io.estuary.mqttsn.codec;

import java.util.Objects;

/**
 * How a message names its topic (MQTT-SN 1.2 §5.3.4 TopicIdType): a normal topic id handed out by
 * REGISTER, a predefined id known to both sides, a two-character short topic name, or (SUBSCRIBE and
 * UNSUBSCRIBE only) a full topic name.
 */
public sealed interface TopicRef {

  /** The two TopicIdType flag bits. */
  int typeBits();

  /** A normal topic id (type 0b00). 0x0000 and 0xFFFF are reserved (§5.3.11). */
  record Id(int id) implements TopicRef {
    public Id {
      checkId(id);
    }

    @Override
    public int typeBits() {
      return 0b00;
    }
  }

  /** A predefined topic id (type 0b01). */
  record Predefined(int id) implements TopicRef {
    public Predefined {
      checkId(id);
    }

    @Override
    public int typeBits() {
      return 0b01;
    }
  }

  /**
   * A short topic name (type 0b10): exactly two octets, held as two chars 0..255 (ISO-8859-1) so that
   * every octet pair round-trips.
   */
  record Short(String name) implements TopicRef {
    public Short {
      Objects.requireNonNull(name, "name");
      if (name.length() != 2 || name.charAt(0) > 0xFF || name.charAt(1) > 0xFF) {
        throw new IllegalArgumentException("short topic name must be two octets, was '" + name + "'");
      }
    }

    @Override
    public int typeBits() {
      return 0b10;
    }
  }

  /** A full topic name or filter (type 0b00 in SUBSCRIBE/UNSUBSCRIBE). */
  record Name(String name) implements TopicRef {
    public Name {
      Objects.requireNonNull(name, "name");
      if (name.isEmpty()) {
        throw new IllegalArgumentException("topic name must not be empty");
      }
    }

    @Override
    public int typeBits() {
      return 0b00;
    }
  }

  private static void checkId(int id) {
    if (id <= 0 || id >= 0xFFFF) {
      throw new IllegalArgumentException("topic id must be 1..0xFFFE, was " + id);
    }
  }
}
