package io.estuary.api.topic;

import java.util.Objects;

/**
 * The one mountpoint rule (EMQX's {@code mountpoint}): a prefix the adapter puts in front of every
 * topic and filter a device uses, so devices of one listener live under their own subtree, and takes
 * off every topic it delivers back. A shared subscription keeps {@code $share/<group>/} in front:
 * {@code $share/g/a/+} under mountpoint {@code site1/} is {@code $share/g/site1/a/+}. The empty
 * mountpoint changes nothing. Immutable; safe from any thread.
 *
 * @param prefix the resolved prefix, usually ending in "/" (never null)
 */
public record Mountpoint(String prefix) {
  /** No mountpoint. */
  public static final Mountpoint NONE = new Mountpoint("");

  /** The placeholder replaced by the client id in a configured mountpoint (EMQX's {@code ${clientid}}). */
  public static final String CLIENT_ID = "${clientid}";

  public Mountpoint {
    Objects.requireNonNull(prefix, "prefix");
  }

  /** The mountpoint configured as {@code template}, with {@value #CLIENT_ID} replaced by {@code clientId}. */
  public static Mountpoint of(String template, String clientId) {
    if (template == null || template.isEmpty()) {
      return NONE;
    }
    return new Mountpoint(clientId == null ? template : template.replace(CLIENT_ID, clientId));
  }

  /** A mountpoint without placeholders (or with them left as they are). */
  public static Mountpoint of(String prefix) {
    return prefix == null || prefix.isEmpty() ? NONE : new Mountpoint(prefix);
  }

  public boolean isEmpty() {
    return prefix.isEmpty();
  }

  /** A topic name from the device, as the broker sees it. */
  public String mountTopic(String topic) {
    return prefix.isEmpty() ? topic : prefix + topic;
  }

  /**
   * A filter from the device, as the broker sees it: {@code $share/<group>/<prefix><filter>} for a
   * shared subscription, {@code <prefix><filter>} otherwise. A malformed {@code $share/} filter is left
   * as it is, so the broker rejects it as it would without a mountpoint (with the prefix in front it
   * would pass as an ordinary filter).
   */
  public String mountFilter(String filter) {
    if (prefix.isEmpty()) {
      return filter;
    }
    Topics.Parsed p = Topics.parse(filter);
    if (p == null) {
      return filter;
    }
    if (!p.shared()) {
      return prefix + filter;
    }
    return new Topics.Parsed(p.group(), prefix + p.filter()).raw();
  }

  /** A topic the broker delivers, as the device sees it: the prefix taken off (unchanged without it). */
  public String unmount(String topic) {
    return !prefix.isEmpty() && topic.startsWith(prefix) ? topic.substring(prefix.length()) : topic;
  }

  @Override
  public String toString() {
    return prefix;
  }
}
