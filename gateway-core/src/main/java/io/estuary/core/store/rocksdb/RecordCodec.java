package io.estuary.core.store.rocksdb;

import io.estuary.api.Message;
import io.estuary.api.MessageProperties;
import io.estuary.api.Payload;
import io.estuary.api.Subscription;
import io.estuary.api.TopicFilter;
import io.estuary.api.UserProperty;
import io.estuary.core.store.SessionRecord;
import io.estuary.core.store.StoredMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * The one record format of the RocksDB store, version 1 (docs/persistence.md has the byte layout):
 * {@code version:u8, kind:u8, body, crc32c:u32}. Integers are big-endian or unsigned LEB128 varints,
 * strings and byte strings a varint length then the bytes (UTF-8). Pure and thread-safe; decoding
 * throws {@link CorruptRecordException} for anything it cannot read, never another exception.
 */
public final class RecordCodec {
  public static final int VERSION = 1;
  static final int KIND_SESSION = 1;
  static final int KIND_QUEUED = 2;
  static final int KIND_RETAINED = 3;
  static final int KIND_AWAITING = 4;

  /** Marks the optional owner trailer of a session record. */
  private static final int OWNER_TAG = 1;
  private static final int MAX_LIST = 1 << 20;

  private RecordCodec() {}

  public static byte[] encodeSession(SessionRecord s) {
    RecordWriter w = header(KIND_SESSION, 64 + s.subscriptions().size() * 24);
    w.str(s.clientId()).str(s.protocol()).nullableStr(s.username());
    w.varint(s.expiryIntervalSeconds()).i64(s.disconnectedAtMillis());
    w.varint(s.subscriptions().size());
    for (Subscription sub : s.subscriptions()) {
      w.str(sub.filter().value()).u8(sub.qos())
          .u8((sub.noLocal() ? 1 : 0) | (sub.retainAsPublished() ? 2 : 0) | (sub.retainHandling() << 2))
          .varint(sub.subscriptionId());
    }
    if (s.will() == null) {
      w.u8(0);
    } else {
      message(w.u8(1), s.will());
    }
    w.varint(s.willDelaySeconds());
    if (s.owner() != null) {
      // optional trailer, added within version 1: older records end here and decode with owner unknown
      w.u8(OWNER_TAG).nullableStr(s.owner().username()).nullableStr(s.owner().authIdentity());
    }
    return w.finishWithChecksum();
  }

  public static SessionRecord decodeSession(byte[] record) {
    RecordReader r = body(record, KIND_SESSION);
    return guard(() -> {
      String clientId = r.str();
      String protocol = r.str();
      String username = r.nullableStr();
      long expiry = r.varint();
      long disconnectedAt = r.i64();
      int n = r.count(MAX_LIST);
      List<Subscription> subs = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        String filter = r.str();
        int qos = r.u8();
        int opts = r.u8();
        int id = subscriptionId(r);
        subs.add(new Subscription(new TopicFilter(filter), qos, (opts & 1) != 0, (opts & 2) != 0, (opts >> 2) & 3, id));
      }
      Message will = r.u8() == 1 ? message(r) : null;
      long willDelay = r.varint();
      SessionRecord.Owner owner = null;
      if (!r.atEnd()) {
        if (r.u8() != OWNER_TAG) {
          throw new CorruptRecordException("bad session trailer");
        }
        owner = new SessionRecord.Owner(r.nullableStr(), r.nullableStr());
      }
      r.expectEnd();
      return new SessionRecord(clientId, protocol, username, expiry, disconnectedAt, subs, will, willDelay, owner);
    });
  }

  public static byte[] encodeQueued(StoredMessage m) {
    RecordWriter w = header(KIND_QUEUED, 48 + m.message().topic().length() + m.message().payload().size());
    w.i64(m.seq()).u16(m.packetId()).u8((m.released() ? 1 : 0) | (m.routingTag() != 0 ? 2 : 0));
    if (m.routingTag() != 0) {
      w.i64(m.routingTag());
    }
    w.varint(m.subscriptionIds().size());
    for (int id : m.subscriptionIds()) {
      w.varint(id);
    }
    message(w, m.message());
    return w.finishWithChecksum();
  }

  public static StoredMessage decodeQueued(byte[] record) {
    RecordReader r = body(record, KIND_QUEUED);
    return guard(() -> {
      long seq = r.i64();
      int packetId = r.u16();
      int flags = r.u8();
      if ((flags & ~3) != 0) {
        throw new CorruptRecordException("bad flags");
      }
      long tag = (flags & 2) != 0 ? r.i64() : 0;
      int n = r.count(MAX_LIST);
      List<Integer> ids = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        ids.add(subscriptionId(r));
      }
      Message m = message(r);
      r.expectEnd();
      return new StoredMessage(seq, m, ids, packetId, (flags & 1) != 0, tag);
    });
  }

  public static byte[] encodeRetained(Message m) {
    RecordWriter w = header(KIND_RETAINED, 32 + m.topic().length() + m.payload().size());
    message(w, m);
    return w.finishWithChecksum();
  }

  public static Message decodeRetained(byte[] record) {
    RecordReader r = body(record, KIND_RETAINED);
    return guard(() -> {
      Message m = message(r);
      r.expectEnd();
      return m;
    });
  }

  /**
   * An awaiting-PUBREL record: {@code routingTag} 0 for a committed id, else the tag of a routing
   * marker whose commit has not been written. (Records written before markers existed are empty: committed.)
   */
  public static byte[] encodeAwaiting(long routingTag) {
    return header(KIND_AWAITING, 12).u8(routingTag == 0 ? 0 : 1).i64(routingTag).finishWithChecksum();
  }

  /** The routing tag of an awaiting-PUBREL record: 0 when committed. */
  public static long decodeAwaiting(byte[] record) {
    if (record.length == 0) {
      return 0;
    }
    RecordReader r = body(record, KIND_AWAITING);
    int state = r.u8();
    long tag = r.i64();
    r.expectEnd();
    if (state > 1 || (state == 1) != (tag != 0)) {
      throw new CorruptRecordException("bad awaiting state " + state);
    }
    return tag;
  }

  // ---- message --------------------------------------------------------------------------------

  private static void message(RecordWriter w, Message m) {
    w.str(m.topic()).u8(m.qos()).u8(m.retain() ? 1 : 0).i64(m.createdAtMillis());
    w.bytes(m.payload().toByteArray());
    MessageProperties p = m.properties();
    int mask = (p.payloadFormatIndicator() != null ? 1 : 0) | (p.messageExpiryInterval() != null ? 2 : 0)
        | (p.contentType() != null ? 4 : 0) | (p.responseTopic() != null ? 8 : 0)
        | (p.correlationData() != null ? 16 : 0) | (!p.userProperties().isEmpty() ? 32 : 0)
        | (m.publisher() != null ? 64 : 0);
    w.u8(mask);
    if (p.payloadFormatIndicator() != null) {
      w.u8(p.payloadFormatIndicator());
    }
    if (p.messageExpiryInterval() != null) {
      w.varint(p.messageExpiryInterval());
    }
    if (p.contentType() != null) {
      w.str(p.contentType());
    }
    if (p.responseTopic() != null) {
      w.str(p.responseTopic());
    }
    if (p.correlationData() != null) {
      w.bytes(p.correlationData().toByteArray());
    }
    if (!p.userProperties().isEmpty()) {
      w.varint(p.userProperties().size());
      for (UserProperty u : p.userProperties()) {
        w.str(u.name()).str(u.value());
      }
    }
    if (m.publisher() != null) {
      w.str(m.publisher()); // bit 64, added within version 1: older records simply lack it
    }
  }

  private static Message message(RecordReader r) {
    String topic = r.str();
    int qos = r.u8();
    int retain = r.u8();
    long createdAt = r.i64();
    Payload payload = Payload.wrapOwned(r.bytes());
    int mask = r.u8();
    if ((mask & ~127) != 0 || retain > 1) {
      throw new CorruptRecordException("bad flags");
    }
    Integer pfi = (mask & 1) != 0 ? r.u8() : null;
    Long expiry = (mask & 2) != 0 ? r.varint() : null;
    String contentType = (mask & 4) != 0 ? r.str() : null;
    String responseTopic = (mask & 8) != 0 ? r.str() : null;
    Payload correlation = (mask & 16) != 0 ? Payload.wrapOwned(r.bytes()) : null;
    List<UserProperty> user = List.of();
    if ((mask & 32) != 0) {
      int n = r.count(MAX_LIST);
      user = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        user.add(new UserProperty(r.str(), r.str()));
      }
    }
    String publisher = (mask & 64) != 0 ? r.str() : null;
    MessageProperties props = (mask & 63) == 0 ? MessageProperties.NONE
        : new MessageProperties(pfi, expiry, contentType, responseTopic, correlation, user);
    return new Message(topic, payload, qos, retain == 1, props, createdAt, publisher);
  }

  // ---- framing --------------------------------------------------------------------------------

  private static RecordWriter header(int kind, int sizeHint) {
    return new RecordWriter(sizeHint).u8(VERSION).u8(kind);
  }

  private static RecordReader body(byte[] record, int kind) {
    RecordReader r = new RecordReader(record);
    int version = r.u8();
    if (version != VERSION) {
      throw new CorruptRecordException("unknown record version " + version);
    }
    int k = r.u8();
    if (k != kind) {
      throw new CorruptRecordException("record kind " + k + ", expected " + kind);
    }
    return r;
  }

  /** Model constructors reject impossible values (qos 3); for a stored record that is corruption too. */
  private static <T> T guard(java.util.function.Supplier<T> decode) {
    try {
      return decode.get();
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new CorruptRecordException(e.getMessage());
    }
  }

  /** MQTT 5 §3.8.2.1.2: a subscription identifier is 1..268,435,455 (0 = none here); anything else is corruption. */
  private static int subscriptionId(RecordReader r) {
    long id = r.varint();
    if (id < 0 || id > 268_435_455L) {
      throw new CorruptRecordException("subscription id out of range: " + id);
    }
    return (int) id;
  }
}
