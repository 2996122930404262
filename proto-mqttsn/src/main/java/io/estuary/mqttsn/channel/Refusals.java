package io.estuary.mqttsn.channel;

import io.estuary.api.limits.LogThrottle;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log of limit refusals (issue #13): one INFO line per second for the whole adapter, naming how many
 * similar lines were left out; the rest at DEBUG. The message is built only for a line that is written,
 * so a flood of refusals allocates nothing here. Logger {@code io.estuary.mqttsn.limits}. Any thread.
 */
final class Refusals {
  private static final Logger log = LoggerFactory.getLogger("io.estuary.mqttsn.limits");
  private static final LogThrottle THROTTLE = LogThrottle.every(1000);

  private Refusals() {
  }

  /**
   * As {@link #log(String, Supplier)} for a datagram from {@code from} on {@code listener}: the line is
   * "{@code <listener> datagram from <from>: <what>}", built only when written (no lambda to allocate per refusal).
   */
  static void log(String reason, String listener, Object from, String what) {
    long suppressed = THROTTLE.admit();
    if (suppressed >= 0) {
      log.info("mqttsn {} datagram from {}: {} ({}){}", listener, from, what, reason, LogThrottle.suffix(suppressed));
    } else if (log.isDebugEnabled()) {
      log.debug("mqttsn {} datagram from {}: {} ({})", listener, from, what, reason);
    }
  }

  static void log(String reason, Supplier<String> message) {
    long suppressed = THROTTLE.admit();
    if (suppressed >= 0) {
      log.info("mqttsn {} ({}){}", message.get(), reason, LogThrottle.suffix(suppressed));
    } else if (log.isDebugEnabled()) {
      log.debug("mqttsn {} ({})", message.get(), reason);
    }
  }
}
