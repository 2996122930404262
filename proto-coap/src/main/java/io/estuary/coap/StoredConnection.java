package io.estuary.coap;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A connection-mode device's token as kept in the store (key-value space {@code coap-connections},
 * key = client id), so that a device keeps using its token across a gateway restart. Format
 * (docs/coap.md): {@code version:u8 (=1) token:utf username:u8 flag [utf] listener:utf}, each utf a
 * u16 length and modified UTF-8 ({@link DataOutputStream#writeUTF}).
 */
record StoredConnection(String token, String username, String listener) {
  static final int VERSION = 1;

  byte[] encode() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(VERSION);
      out.writeUTF(token);
      out.writeBoolean(username != null);
      if (username != null) {
        out.writeUTF(username);
      }
      out.writeUTF(listener);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** The stored connection, or null for a record it cannot read (logged and dropped by the caller). */
  static StoredConnection decode(byte[] value) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
      if (in.readUnsignedByte() != VERSION) {
        return null;
      }
      String token = in.readUTF();
      String username = in.readBoolean() ? in.readUTF() : null;
      String listener = in.readUTF();
      return in.available() == 0 && !token.isEmpty() ? new StoredConnection(token, username, listener) : null;
    } catch (IOException e) {
      return null;
    }
  }
}
