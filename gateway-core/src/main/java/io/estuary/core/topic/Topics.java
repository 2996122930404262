package io.estuary.core.topic;

/**
 * Forwards to {@link io.estuary.api.topic.Topics}, the one implementation, for the MQTT listener in
 * {@code core.mqtt} only, which is being moved to proto-mqtt; it then imports the gateway-api class
 * and this forwarder is deleted. No logic lives here.
 */
@Deprecated(forRemoval = true)
public final class Topics {
  public static final String SHARE_PREFIX = io.estuary.api.topic.Topics.SHARE_PREFIX;

  private Topics() {}

  public static String checkName(String topic, int maxLevels) {
    return io.estuary.api.topic.Topics.checkName(topic, maxLevels);
  }

  public static boolean hasWildcard(String filter) {
    return io.estuary.api.topic.Topics.hasWildcard(filter);
  }

  /** See {@link io.estuary.api.topic.Topics.Parsed}. */
  public record Parsed(String group, String filter) {}

  public static Parsed parse(String raw) {
    io.estuary.api.topic.Topics.Parsed p = io.estuary.api.topic.Topics.parse(raw);
    return p == null ? null : new Parsed(p.group(), p.filter());
  }
}
