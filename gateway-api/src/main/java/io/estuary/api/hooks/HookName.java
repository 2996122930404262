package io.estuary.api.hooks;

import java.util.Locale;

/**
 * The hooks, named as VerneMQ names them (docs.vernemq.com, "Plugin development"). VerneMQ's {@code _m5}
 * variants are the same hooks here: their extra fields (MQTT 5 properties, reason codes) travel in the
 * request records and are empty for clients that have none. {@link #wireName()} is the name used in
 * config, webhooks and logs.
 */
public enum HookName {
  /** A client connects: ok admits it, error refuses it, next asks the next plugin (then the gateway's auth chain). */
  AUTH_ON_REGISTER(true),
  /** A client publishes: ok (maybe with modifiers), error refuses the message, next asks on. */
  AUTH_ON_PUBLISH(true),
  /** A client subscribes: ok (maybe with replaced topics and QoS), error refuses every filter, next asks on. */
  AUTH_ON_SUBSCRIBE(true),
  ON_REGISTER(false),
  ON_PUBLISH(false),
  ON_SUBSCRIBE(false),
  ON_UNSUBSCRIBE(false),
  /** A message goes to a client: ok may rewrite its topic and payload; the first ok ends the chain. */
  ON_DELIVER(true),
  ON_OFFLINE_MESSAGE(false),
  ON_CLIENT_WAKEUP(false),
  ON_CLIENT_OFFLINE(false),
  ON_CLIENT_GONE(false),
  ON_SESSION_EXPIRED(false);

  private final boolean answered;

  HookName(boolean answered) {
    this.answered = answered;
  }

  /** Whether the hook answers with a {@link Verdict} (chained); false for notifications (every plugin is told). */
  public boolean answered() {
    return answered;
  }

  /** VerneMQ's name: {@code auth_on_register}, {@code on_deliver}, ... */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The hook of a VerneMQ name; an {@code _m5} name is its hook. Unknown names: IllegalArgumentException. */
  public static HookName of(String wireName) {
    String n = wireName.endsWith("_m5") ? wireName.substring(0, wireName.length() - 3) : wireName;
    for (HookName h : values()) {
      if (h.wireName().equals(n)) {
        return h;
      }
    }
    throw new IllegalArgumentException("unknown hook \"" + wireName + "\"");
  }
}
