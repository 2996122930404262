package io.estuary.uplink.mapping;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A topic with placeholders, rendered per message: {@code ${topic}} is the message's topic,
 * {@code ${node}} the node name and {@code ${clientid}} the client id of the local publisher (the
 * broker stamps it on every message it accepts; forwards only, upstream messages have no local
 * publisher). Unknown placeholders fail at parse time, so a typo is a config error and not a
 * surprising topic.
 */
public final class TopicTemplate {
  private static final Set<String> KNOWN = Set.of("topic", "node", "clientid");

  private final String source;
  private final List<String> parts; // even index: literal, odd index: placeholder name

  private TopicTemplate(String source, List<String> parts) {
    this.source = source;
    this.parts = List.copyOf(parts);
  }

  /** Parses a template using {@code ${topic}} and {@code ${node}}; throws {@link IllegalArgumentException} saying what is wrong. */
  public static TopicTemplate parse(String template) {
    return parse(template, false);
  }

  /** As {@link #parse(String)}, also allowing {@code ${clientid}} when {@code withClientId}. */
  public static TopicTemplate parse(String template, boolean withClientId) {
    if (template == null || template.isEmpty()) {
      throw new IllegalArgumentException("an empty topic template");
    }
    List<String> parts = new ArrayList<>();
    int i = 0;
    while (true) {
      int open = template.indexOf("${", i);
      if (open < 0) {
        parts.add(template.substring(i));
        break;
      }
      int close = template.indexOf('}', open);
      if (close < 0) {
        throw new IllegalArgumentException("an unclosed placeholder in \"" + template + "\"");
      }
      String name = template.substring(open + 2, close);
      if (!KNOWN.contains(name) || (name.equals("clientid") && !withClientId)) {
        throw new IllegalArgumentException("unknown placeholder ${" + name + "} in \"" + template
            + "\" (known: ${topic}, ${node}" + (withClientId ? ", ${clientid})" : ")"));
      }
      parts.add(template.substring(i, open));
      parts.add(name);
      i = close + 1;
    }
    return new TopicTemplate(template, parts);
  }

  public String render(String topic, String node) {
    return render(topic, node, null);
  }

  /** Renders for a message on {@code topic} published by {@code clientId} (null, unknown: rendered empty). */
  public String render(String topic, String node, String clientId) {
    StringBuilder sb = new StringBuilder(source.length() + topic.length());
    for (int i = 0; i < parts.size(); i++) {
      String p = parts.get(i);
      if (i % 2 == 0) {
        sb.append(p);
      } else {
        sb.append(switch (p) {
          case "topic" -> topic;
          case "node" -> node;
          default -> clientId == null ? "" : clientId;
        });
      }
    }
    return sb.toString();
  }

  /** The template as a filter matching every topic it can render ({@code ${topic}} becomes {@code #}). */
  public String asFilter(String node) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < parts.size(); i++) {
      String p = parts.get(i);
      if (i % 2 == 0) {
        sb.append(p);
      } else if (p.equals("node")) {
        sb.append(node);
      } else {
        // ${topic} (and a client id with '/') spans any number of levels: everything from its level on is "#"
        int slash = sb.lastIndexOf("/");
        sb.setLength(slash + 1);
        sb.append('#');
        return sb.toString();
      }
    }
    return sb.toString();
  }

  public boolean usesTopic() {
    return parts.contains("topic") && parts.indexOf("topic") % 2 == 1;
  }

  @Override
  public String toString() {
    return source;
  }
}
