package io.estuary.coap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.estuary.coap.support.CoapGateway;
import java.nio.file.Path;
import java.time.Duration;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Issue #13: when the store refuses (here a full {@code persistence.max_bytes}), every CoAP connection's token write fails; each failure
 * is counted ({@code coap.store.write_failures}) and logged once per interval, not once per write. The devices
 * themselves are still served (the in-memory state is right; only a restart would miss them).
 */
@Timeout(60)
class CoapStoreWritesIT {
  @TempDir
  Path dir;

  @Test
  void failed_connection_writes_are_counted_and_logged_once_per_interval() throws Exception {
    // a cap every write is over: each put is refused at once (a failing disk would hold the first write queued)
    refusedWrites(CoapGateway.builder().coap("connection_required = true").config("persistence.max_bytes = 1")
        .persistence(dir), 5);
  }

  @Test
  void the_in_memory_store_refuses_past_memory_max_bytes_and_the_failed_writes_are_counted() throws Exception {
    // persistence off: the in-memory store's cap (persistence.memory_max_bytes) refuses as the disk store does
    // the empty store is under the cap: the first token is kept, the 4 after it are refused
    refusedWrites(CoapGateway.builder().coap("connection_required = true").config("persistence.memory_max_bytes = 1"), 4);
  }

  private static void refusedWrites(CoapGateway.Builder gateway, int failures) throws Exception {
    Logger log = (Logger) LoggerFactory.getLogger("io.estuary.cf.WatchedKeyValueSpace");
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    log.addAppender(lines);
    try (CoapGateway h = gateway.start()) {
      int devices = 5;
      for (int i = 0; i < devices; i++) {
        CoapResponse r = h.client("/mqtt/connection?clientid=kv" + i).post("", MediaTypeRegistry.TEXT_PLAIN);
        assertThat(r.getCode()).as("device %d still served", i).isEqualTo(ResponseCode.CREATED);
        assertThat(r.getResponseText()).as("its token").isNotBlank();
        if (i == 0 && failures == devices - 1) {
          // the token is written after the answer: the next devices come once the store counts it (over its cap)
          await("the first token stored").atMost(Duration.ofSeconds(5)).until(() -> h.gw.storeRefusal() != null);
        }
      }
      await("every failed write counted").atMost(Duration.ofSeconds(5))
          .untilAsserted(() -> assertThat(h.count("coap.store.write_failures")).isEqualTo(failures));
      assertThat(h.count("coap.store.write_failures")).isEqualTo(failures);
      long warns = lines.list.stream().filter(e -> e.getLevel() == Level.WARN).count();
      assertThat(warns).as("one WARN for %d failed writes within the interval", failures).isEqualTo(1);
      assertThat(lines.list.get(0).getFormattedMessage()).contains("CoAP connection store write failed")
          .contains("max_bytes");
    } finally {
      log.detachAppender(lines);
    }
  }
}
