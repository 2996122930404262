package io.estuary.testkit;

import org.junit.jupiter.api.Assumptions;

/**
 * Tests that talk to a real Debian peer (mosquitto, mosquitto_pub/sub, libcoap's coap-client) call
 * {@link #require}. On a developer machine without the package the test is skipped with the reason;
 * under CI ({@code CI=true}, where .ci/run installs every peer) a missing peer fails the test, so a
 * broken install step can never turn into silently skipped tests.
 */
public final class ExternalPeers {
  private ExternalPeers() {}

  public static void require(boolean present, String what) {
    if (present) {
      return;
    }
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new AssertionError(what + " (CI=true: .ci/run should have installed it)");
    }
    Assumptions.assumeTrue(false, what);
  }
}
