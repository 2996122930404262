package io.estuary.stomp.codec;

import java.util.List;

/** The protocol versions this gateway speaks; the negotiated one decides header escaping. */
public enum StompVersion {
  V1_0("1.0"), V1_1("1.1"), V1_2("1.2");

  private final String text;

  StompVersion(String text) {
    this.text = text;
  }

  public String text() {
    return text;
  }

  /**
   * The highest version both sides speak, from CONNECT's {@code accept-version} (absent: 1.0, STOMP 1.2
   * §"Protocol Negotiation"); null if none.
   */
  public static StompVersion negotiate(String acceptVersion, List<StompVersion> allowed) {
    if (acceptVersion == null) {
      return allowed.contains(V1_0) ? V1_0 : null;
    }
    StompVersion best = null;
    for (String v : acceptVersion.split(",")) {
      for (StompVersion s : values()) {
        if (s.text.equals(v.trim()) && allowed.contains(s) && (best == null || s.ordinal() > best.ordinal())) {
          best = s;
        }
      }
    }
    return best;
  }
}
