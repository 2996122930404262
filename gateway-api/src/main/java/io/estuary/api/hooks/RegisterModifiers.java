package io.estuary.api.hooks;

/**
 * What {@code auth_on_register} may change (VerneMQ's register modifiers {@code mountpoint} and
 * {@code client_id}, together its subscriber id). Null fields change nothing. The gateway applies them to the
 * session it opens for the client: the broker session is keyed by the new client id, and the client's
 * topics are moved from its listener's mountpoint to the new one (publish, subscribe, unsubscribe and will
 * on the way in, deliveries on the way out), so the device keeps using its own topic names. Other VerneMQ
 * register modifiers (max_message_size, max_inflight_messages, retry_interval, upgrade_qos, …) are not
 * supported: the webhook plugin logs and ignores them.
 *
 * @param mountpoint the mountpoint the client's topics go under ("" = none), or null to keep the listener's
 * @param clientId the client id the broker knows the client by, or null to keep the one the client sent
 */
public record RegisterModifiers(String mountpoint, String clientId) {
  public RegisterModifiers {
    if (clientId != null && clientId.isEmpty()) {
      throw new IllegalArgumentException("a client_id modifier must not be empty");
    }
  }

  public boolean isEmpty() {
    return mountpoint == null && clientId == null;
  }
}
