package io.estuary.lwm2m;

import io.estuary.api.AdapterConfig;
import java.util.Objects;

/**
 * EMQX's {@code translators}: where each message kind goes, relative to the mountpoint.
 *
 * @param command downlink commands the endpoint's session subscribes to
 * @param response command responses
 * @param notification observe notifications
 * @param register register events
 * @param update update events
 * @param send LwM2M 1.1 Send data (Estuary extension)
 */
public record Translators(
    Translator command, Translator response, Translator notification, Translator register, Translator update, Translator send) {

  public static final Translators DEFAULTS = new Translators(new Translator("dn", 0), new Translator("up/resp", 0),
      new Translator("up/notify", 0), new Translator("up/resp", 0), new Translator("up/update", 0),
      new Translator("up/send", 0));

  public Translators {
    Objects.requireNonNull(command, "command");
    Objects.requireNonNull(response, "response");
    Objects.requireNonNull(notification, "notification");
    Objects.requireNonNull(register, "register");
    Objects.requireNonNull(update, "update");
    Objects.requireNonNull(send, "send");
  }

  static Translators from(AdapterConfig c) {
    Translators d = DEFAULTS;
    return new Translators(one(c, "command", d.command), one(c, "response", d.response), one(c, "notify", d.notification),
        one(c, "register", d.register), one(c, "update", d.update), one(c, "send", d.send));
  }

  private static Translator one(AdapterConfig c, String key, Translator dflt) {
    if (!c.has(key)) {
      return dflt;
    }
    AdapterConfig t = c.getConfig(key);
    String topic = t.has("topic") ? t.getString("topic") : dflt.topic();
    int qos = t.has("qos") ? t.getInt("qos") : dflt.qos();
    try {
      return new Translator(topic, qos);
    } catch (IllegalArgumentException e) {
      throw t.invalid(qos < 0 || qos > 2 ? "qos" : "topic", e.getMessage());
    }
  }
}
