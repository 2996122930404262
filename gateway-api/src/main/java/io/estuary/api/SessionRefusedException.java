package io.estuary.api;

import java.util.Objects;

/**
 * Why {@link GatewayContext#openSession} refused a session: the failure its stage completes with. Each
 * adapter answers with its protocol's code for the reason (MQTT CONNACK 0x85/0x87/0x88 or 3.1.1's 0x02/0x05,
 * MQTT-SN CONNACK "rejected" or "congestion", CoAP/LwM2M 4.00/4.03/5.03, STOMP ERROR) and logs it.
 */
public final class SessionRefusedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The refusal reasons every protocol can express. */
  public enum Reason {
    /**
     * The client id is empty, too long ({@code mqtt.max_clientid_len}), or holds a wildcard ({@code + #}), NUL or
     * a control character; also a username holding NUL or a control character (the core's {@code IdentityRules}).
     */
    INVALID_CLIENT_ID,
    /** Ids starting with {@code $} are reserved (an adapter's own {@code $<protocol>/…} ids excepted). */
    RESERVED_CLIENT_ID,
    /** The session exists and belongs to another identity (username or TLS/DTLS identity). */
    NOT_OWNER,
    /** The gateway is shutting down or cannot take the session now (try again later). */
    UNAVAILABLE,
    /**
     * A configured limit refuses the session: the broker's {@code max_sessions} or a listener's
     * {@code max_connections} / {@code max_conn_rate} (MQTT 5 CONNACK 0x97, 3.1.1's 0x03, MQTT-SN CONNACK
     * "congestion", CoAP/LwM2M 5.03, STOMP ERROR).
     */
    QUOTA_EXCEEDED
  }

  private final Reason reason;

  public SessionRefusedException(Reason reason, String message) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  public Reason reason() {
    return reason;
  }

  /** The refusal behind {@code t} (unwrapping completion wrappers), or null if {@code t} is another failure. */
  public static SessionRefusedException of(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof SessionRefusedException r) {
        return r;
      }
    }
    return null;
  }
}
