package io.estuary.core.store.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.estuary.api.Message;
import io.estuary.api.MessageProperties;
import io.estuary.api.Payload;
import io.estuary.api.Subscription;
import io.estuary.api.TopicFilter;
import io.estuary.api.UserProperty;
import io.estuary.core.store.SessionRecord;
import io.estuary.core.store.StoredMessage;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RecordCodecTest {
  static final MessageProperties ALL_PROPS = new MessageProperties(1, 3600L, "application/json", "reply/here",
      Payload.utf8("corr-1"), List.of(new UserProperty("k", "v"), new UserProperty("k", "v2")));

  static Message message(MessageProperties p) {
    return new Message("sensors/ä/temp", Payload.utf8("21.5 °C"), 2, true, p, 1_700_000_000_123L);
  }

  static SessionRecord session() {
    return new SessionRecord("dev-1", "mqttsn", "alice", 7200, 1_700_000_000_000L,
        List.of(Subscription.of("a/#", 1), new Subscription(new TopicFilter("$share/g/b/+"), 2, true, true, 2, 268_435_455)),
        message(MessageProperties.NONE).withRetain(false), 30);
  }

  @Test
  void session_round_trips_with_subscription_options_and_will() {
    SessionRecord s = session();
    assertThat(RecordCodec.decodeSession(RecordCodec.encodeSession(s))).isEqualTo(s);
  }

  @Test
  void session_with_an_owner_round_trips() {
    SessionRecord plain = session();
    SessionRecord owned = new SessionRecord(plain.clientId(), plain.protocol(), plain.username(), plain.expiryIntervalSeconds(),
        plain.disconnectedAtMillis(), plain.subscriptions(), plain.will(), plain.willDelaySeconds(),
        new SessionRecord.Owner("alice", "x509:dev-1"));
    assertThat(RecordCodec.decodeSession(RecordCodec.encodeSession(owned))).isEqualTo(owned);
    SessionRecord anonymous = new SessionRecord("c", "mqtt", null, 1, 0, List.of(), null, 0, new SessionRecord.Owner(null, null));
    assertThat(RecordCodec.decodeSession(RecordCodec.encodeSession(anonymous))).isEqualTo(anonymous);
  }

  @Test
  void a_session_record_written_before_owners_decodes_with_the_owner_unknown() {
    // the bytes of session() as the codec wrote them before the owner trailer existed
    byte[] old = RecordCodec.encodeSession(session());
    assertThat(RecordCodec.decodeSession(old).owner()).isNull();
    assertThat(RecordCodec.decodeSession(old)).isEqualTo(session());
    byte[] owned = RecordCodec.encodeSession(new SessionRecord("c", "mqtt", null, 1, 0, List.of(), null, 0,
        new SessionRecord.Owner("u", null)));
    byte[] unowned = RecordCodec.encodeSession(new SessionRecord("c", "mqtt", null, 1, 0, List.of(), null, 0));
    assertThat(owned.length).isGreaterThan(unowned.length);
    assertThat(java.util.Arrays.copyOfRange(owned, 0, unowned.length - 4))
        .as("the owner is a trailer after the fields older records end with")
        .isEqualTo(java.util.Arrays.copyOfRange(unowned, 0, unowned.length - 4));
  }

  @Test
  void session_without_username_or_will_round_trips() {
    SessionRecord s = new SessionRecord("c", "mqtt", null, 1, 0, List.of(), null, 0);
    assertThat(RecordCodec.decodeSession(RecordCodec.encodeSession(s))).isEqualTo(s);
  }

  @Test
  void queued_message_round_trips_with_every_property_and_inflight_state() {
    StoredMessage m = new StoredMessage(Long.MAX_VALUE - 1, message(ALL_PROPS), List.of(1, 300, 268_435_455), 65535, true);
    assertThat(RecordCodec.decodeQueued(RecordCodec.encodeQueued(m))).isEqualTo(m);
  }

  @Test
  void queued_message_keeps_its_routing_tag_and_untagged_records_stay_byte_identical() {
    StoredMessage tagged = new StoredMessage(5, message(ALL_PROPS), List.of(), 9, false, 0x1234_5678_9ABCL);
    assertThat(RecordCodec.decodeQueued(RecordCodec.encodeQueued(tagged))).isEqualTo(tagged);
    StoredMessage plain = new StoredMessage(5, message(ALL_PROPS), List.of(), 9, false);
    assertThat(RecordCodec.encodeQueued(tagged).length).isEqualTo(RecordCodec.encodeQueued(plain).length + 8);
    assertThat(RecordCodec.decodeQueued(RecordCodec.encodeQueued(plain)).routingTag()).isZero();
  }

  @Test
  void awaiting_record_is_committed_when_empty_or_zero_and_carries_a_marker_tag() {
    assertThat(RecordCodec.decodeAwaiting(new byte[0])).isZero(); // written before markers existed
    assertThat(RecordCodec.decodeAwaiting(RecordCodec.encodeAwaiting(0))).isZero();
    assertThat(RecordCodec.decodeAwaiting(RecordCodec.encodeAwaiting(42))).isEqualTo(42);
    byte[] bad = RecordCodec.encodeAwaiting(42);
    bad[3] ^= 1;
    assertThatThrownBy(() -> RecordCodec.decodeAwaiting(bad)).isInstanceOf(CorruptRecordException.class);
  }

  @Test
  void retained_message_with_empty_payload_and_no_properties_round_trips() {
    Message m = new Message("t", Payload.EMPTY, 0, true, MessageProperties.NONE, 0);
    assertThat(RecordCodec.decodeRetained(RecordCodec.encodeRetained(m))).isEqualTo(m);
  }

  @Test
  void record_starts_with_the_version_and_kind_bytes() {
    byte[] r = RecordCodec.encodeRetained(message(MessageProperties.NONE));
    assertThat(r[0]).isEqualTo((byte) RecordCodec.VERSION);
    assertThat(r[1]).isEqualTo((byte) RecordCodec.KIND_RETAINED);
  }

  @Test
  void decode_flippedBit_isCorrupt() {
    byte[] r = RecordCodec.encodeSession(session());
    r[r.length / 2] ^= 0x10;
    assertThatThrownBy(() -> RecordCodec.decodeSession(r)).isInstanceOf(CorruptRecordException.class).hasMessageContaining("checksum");
  }

  @Test
  void decode_truncated_isCorrupt() {
    byte[] r = RecordCodec.encodeQueued(new StoredMessage(1, message(ALL_PROPS), List.of(), 0, false));
    for (int len = 0; len < r.length; len++) {
      byte[] cut = Arrays.copyOf(r, len);
      assertThatThrownBy(() -> RecordCodec.decodeQueued(cut)).isInstanceOf(CorruptRecordException.class);
    }
  }

  @Test
  void decode_unknownVersion_isCorrupt() {
    byte[] r = RecordCodec.encodeRetained(message(MessageProperties.NONE));
    r[0] = 9;
    byte[] resealed = reseal(r);
    assertThatThrownBy(() -> RecordCodec.decodeRetained(resealed)).isInstanceOf(CorruptRecordException.class).hasMessageContaining("version 9");
  }

  @Test
  void decode_otherKind_isCorrupt() {
    byte[] r = RecordCodec.encodeRetained(message(MessageProperties.NONE));
    assertThatThrownBy(() -> RecordCodec.decodeSession(r)).isInstanceOf(CorruptRecordException.class).hasMessageContaining("kind");
  }

  @Test
  void decode_impossibleQos_isCorrupt_not_an_IllegalArgumentException() {
    byte[] r = RecordCodec.encodeRetained(new Message("t", Payload.EMPTY, 1, true, MessageProperties.NONE, 0));
    r[2 + 1 + 1] = 3; // version, kind, topic length 1, 't', then qos
    byte[] resealed = reseal(r);
    assertThatThrownBy(() -> RecordCodec.decodeRetained(resealed)).isInstanceOf(CorruptRecordException.class);
  }

  @Test
  void decode_randomBytes_neverThrowsAnythingButCorrupt() {
    Random rnd = new Random(42);
    for (int i = 0; i < 10_000; i++) {
      byte[] b = new byte[rnd.nextInt(64)];
      rnd.nextBytes(b);
      if (b.length > 1) {
        b[0] = 1;
      }
      byte[] sealed = rnd.nextBoolean() ? reseal(b) : b;
      for (int kind = 1; kind <= 3; kind++) {
        try {
          switch (kind) {
            case 1 -> RecordCodec.decodeSession(sealed);
            case 2 -> RecordCodec.decodeQueued(sealed);
            default -> RecordCodec.decodeRetained(sealed);
          }
        } catch (CorruptRecordException expected) {
          // the only failure allowed
        }
      }
    }
  }

  /** Replaces the trailing checksum so that only the edited field is wrong. */
  static byte[] reseal(byte[] r) {
    if (r.length < 4) {
      return r;
    }
    RecordWriter w = new RecordWriter(r.length);
    for (int i = 0; i < r.length - 4; i++) {
      w.u8(r[i]);
    }
    return w.finishWithChecksum();
  }
}
