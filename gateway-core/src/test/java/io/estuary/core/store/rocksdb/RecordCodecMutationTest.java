package io.estuary.core.store.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.api.Message;
import io.estuary.api.MessageProperties;
import io.estuary.api.Payload;
import io.estuary.api.Subscription;
import io.estuary.api.TopicFilter;
import io.estuary.api.UserProperty;
import io.estuary.core.store.SessionRecord;
import io.estuary.core.store.StoredMessage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * A structure-aware fuzz of the record decoders. Random bytes almost never get past the framing (a CRC32C, a
 * version and a kind byte: about 60 of 10,000 inputs reached a body parser), so the inputs here are valid
 * records of random content, mutated inside the body and resealed with a valid checksum: nearly every input
 * reaches the body parser. A decoder may answer a damaged record only with {@link CorruptRecordException}
 * or with a value (which should re-encode to itself: see the disabled test); an undamaged record round-trips.
 */
class RecordCodecMutationTest {
  private static final int INPUTS = 10_000;
  /** Framing failures: the input never reached a body parser. */
  private static final List<String> FRAMING = List.of("record too short", "checksum mismatch", "unknown record version", "record kind");

  private record Kind<T>(int code, Function<Random, T> random, Function<T, byte[]> encode, Function<byte[], T> decode) {}

  private static final List<Kind<?>> KINDS = List.of(
      new Kind<>(RecordCodec.KIND_SESSION, RecordCodecMutationTest::session, RecordCodec::encodeSession, RecordCodec::decodeSession),
      new Kind<>(RecordCodec.KIND_QUEUED, RecordCodecMutationTest::queued, RecordCodec::encodeQueued, RecordCodec::decodeQueued),
      new Kind<>(RecordCodec.KIND_RETAINED, RecordCodecMutationTest::message, RecordCodec::encodeRetained, RecordCodec::decodeRetained));

  @Test
  void valid_records_of_random_content_round_trip() {
    Random rnd = new Random(7);
    for (int i = 0; i < 2_000; i++) {
      for (Kind<?> k : KINDS) {
        roundTrips(k, rnd);
      }
    }
  }

  private static <T> void roundTrips(Kind<T> k, Random rnd) {
    T value = k.random().apply(rnd);
    assertThat(k.decode().apply(k.encode().apply(value))).isEqualTo(value);
  }

  @Test
  void mutated_resealed_records_reach_the_body_parser_and_fail_only_as_corrupt() {
    long seed = Long.getLong("estuary.fuzz.seed", 42L);
    int reached = fuzz(seed, false);
    // measured: 60 of 10,000 random inputs reached a body parser; these all do (framing is valid by construction)
    assertThat(reached).as("inputs that reached a body parser (seed %d)", seed).isGreaterThanOrEqualTo(INPUTS * 99 / 100);
  }

  @Test
  void a_record_decoded_from_mutated_bytes_re_encodes_to_itself() {
    fuzz(Long.getLong("estuary.fuzz.seed", 42L), true);
  }

  /** Decodes {@link #INPUTS} mutated records; the number that reached a body parser. */
  private static int fuzz(long seed, boolean reEncode) {
    Random rnd = new Random(seed);
    int reached = 0;
    for (int i = 0; i < INPUTS; i++) {
      Kind<?> k = KINDS.get(i % KINDS.size());
      if (decodeMutated(k, rnd, seed, i, reEncode)) {
        reached++;
      }
    }
    return reached;
  }

  /** True when the input got past the framing into the body parser. */
  private static <T> boolean decodeMutated(Kind<T> k, Random rnd, long seed, int i, boolean reEncode) {
    byte[] record = RecordCodecTest.reseal(mutateBody(k.encode().apply(k.random().apply(rnd)), rnd));
    T decoded;
    try {
      decoded = k.decode().apply(record);
    } catch (CorruptRecordException e) {
      String m = String.valueOf(e.getMessage());
      return FRAMING.stream().noneMatch(m::startsWith);
    } catch (RuntimeException | Error e) {
      throw new AssertionError("input %d (seed %d, kind %d) %s: decoder threw %s".formatted(i, seed, k.code(),
          Arrays.toString(record), e), e);
    }
    if (reEncode) {
      assertThat(k.decode().apply(k.encode().apply(decoded)))
          .as("input %d (seed %d): a decoded record re-encodes to itself", i, seed).isEqualTo(decoded);
    }
    return true;
  }

  /** One to three mutations inside the body (after version and kind, before the checksum). */
  static byte[] mutateBody(byte[] record, Random rnd) {
    byte[] body = Arrays.copyOfRange(record, 2, record.length - 4);
    for (int n = 1 + rnd.nextInt(3); n > 0; n--) {
      body = mutate(body, rnd);
    }
    byte[] out = new byte[2 + body.length + 4];
    out[0] = record[0];
    out[1] = record[1];
    System.arraycopy(body, 0, out, 2, body.length);
    return out; // reseal() writes the checksum
  }

  private static byte[] mutate(byte[] b, Random rnd) {
    if (b.length == 0) {
      return new byte[] {(byte) rnd.nextInt()};
    }
    int at = rnd.nextInt(b.length);
    byte[] c = b.clone();
    switch (rnd.nextInt(7)) {
      case 0 -> c[at] ^= (byte) (1 << rnd.nextInt(8));
      case 1 -> c[at] = (byte) rnd.nextInt();
      case 2 -> c[at] = new byte[] {0, 1, 2, 3, (byte) 0x7F, (byte) 0x80, (byte) 0xFF}[rnd.nextInt(7)];
      case 3 -> c = Arrays.copyOf(b, at); // truncate
      case 4 -> { // delete a run
        int len = 1 + rnd.nextInt(Math.min(8, b.length - at));
        c = new byte[b.length - len];
        System.arraycopy(b, 0, c, 0, at);
        System.arraycopy(b, at + len, c, at, b.length - at - len);
      }
      case 5 -> { // insert random bytes
        byte[] ins = new byte[1 + rnd.nextInt(8)];
        rnd.nextBytes(ins);
        c = new byte[b.length + ins.length];
        System.arraycopy(b, 0, c, 0, at);
        System.arraycopy(ins, 0, c, at, ins.length);
        System.arraycopy(b, at, c, at + ins.length, b.length - at);
      }
      default -> { // a random body of similar length
        c = new byte[rnd.nextInt(b.length + 16)];
        rnd.nextBytes(c);
      }
    }
    return c;
  }

  // ---- random valid values ---------------------------------------------------------------------

  private static String str(Random rnd, boolean nullable) {
    if (nullable && rnd.nextInt(3) == 0) {
      return null;
    }
    String alphabet = "ab/+#$ä°€ 1";
    StringBuilder sb = new StringBuilder();
    for (int n = rnd.nextInt(12); n > 0; n--) {
      sb.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
    }
    return sb.toString();
  }

  private static Payload bytes(Random rnd) {
    byte[] b = new byte[rnd.nextInt(24)];
    rnd.nextBytes(b);
    return Payload.wrapOwned(b);
  }

  static Message message(Random rnd) {
    MessageProperties p = MessageProperties.NONE;
    if (rnd.nextBoolean()) {
      List<UserProperty> user = new ArrayList<>();
      for (int n = rnd.nextInt(3); n > 0; n--) {
        user.add(new UserProperty(str(rnd, false), str(rnd, false)));
      }
      p = new MessageProperties(rnd.nextBoolean() ? rnd.nextInt(2) : null,
          rnd.nextBoolean() ? (long) rnd.nextInt(Integer.MAX_VALUE) : null, str(rnd, true), str(rnd, true),
          rnd.nextBoolean() ? bytes(rnd) : null, user);
    }
    return new Message(str(rnd, false), bytes(rnd), rnd.nextInt(3), rnd.nextBoolean(), p, rnd.nextLong(),
        rnd.nextBoolean() ? str(rnd, false) : null);
  }

  static StoredMessage queued(Random rnd) {
    List<Integer> ids = new ArrayList<>();
    for (int n = rnd.nextInt(3); n > 0; n--) {
      ids.add(1 + rnd.nextInt(268_435_455));
    }
    return new StoredMessage(rnd.nextLong(), message(rnd), ids, rnd.nextInt(65_536), rnd.nextBoolean(),
        rnd.nextBoolean() ? 0 : rnd.nextLong());
  }

  static SessionRecord session(Random rnd) {
    List<Subscription> subs = new ArrayList<>();
    for (int n = rnd.nextInt(3); n > 0; n--) {
      subs.add(new Subscription(new TopicFilter("f/" + str(rnd, false)), rnd.nextInt(3), rnd.nextBoolean(),
          rnd.nextBoolean(), rnd.nextInt(3), rnd.nextInt(268_435_456)));
    }
    return new SessionRecord(str(rnd, false), str(rnd, false), str(rnd, true), rnd.nextInt(Integer.MAX_VALUE),
        rnd.nextLong(), subs, rnd.nextBoolean() ? message(rnd) : null, rnd.nextInt(Integer.MAX_VALUE));
  }
}
