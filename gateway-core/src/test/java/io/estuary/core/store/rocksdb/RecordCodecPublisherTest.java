package io.estuary.core.store.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.api.Message;
import io.estuary.api.MessageProperties;
import io.estuary.api.Payload;
import io.estuary.core.store.StoredMessage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The publisher's client id (mask bit 6) travels with a stored message; records without it still decode. */
class RecordCodecPublisherTest {

  @Test
  void a_queued_message_keeps_its_publisher_with_and_without_properties() {
    for (MessageProperties p : List.of(MessageProperties.NONE, RecordCodecTest.ALL_PROPS)) {
      Message m = RecordCodecTest.message(p).withPublisher("dev-7");
      StoredMessage sm = new StoredMessage(42, m, List.of(3), 0, false);
      StoredMessage back = RecordCodec.decodeQueued(RecordCodec.encodeQueued(sm));
      assertThat(back).isEqualTo(sm);
      assertThat(back.message().publisher()).isEqualTo("dev-7");
    }
  }

  @Test
  void a_message_without_publisher_encodes_as_before_and_decodes_to_null() {
    Message m = new Message("t", Payload.utf8("x"), 1, false, MessageProperties.NONE, 1L);
    byte[] record = RecordCodec.encodeRetained(m);
    assertThat(RecordCodec.decodeRetained(record).publisher()).isNull();
    assertThat(RecordCodec.encodeRetained(m.withPublisher("p")).length).isEqualTo(record.length + 2);
  }
}
