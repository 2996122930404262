package io.estuary.core.auth;

import io.estuary.api.ClientInfo;
import io.estuary.api.topic.Topics;
import io.estuary.core.config.ConfigError;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * mosquitto's {@code acl_file} as an authorization source ({@code acl_file} in {@code authorization.sources}),
 * with mosquitto 2.0's semantics:
 * <ul>
 *   <li>{@code topic [read|write|readwrite|deny] TOPIC} lines before any {@code user} line apply to clients
 *       without a username; after {@code user NAME}, to that user; the access defaults to readwrite;
 *   <li>{@code pattern [access] TOPIC} applies to every client, {@code %c} and {@code %u} replaced by its
 *       client id and username (a pattern with {@code %u} never matches a client without one); a client whose
 *       id or username holds {@code +} or {@code #} is denied everything while patterns exist;
 *   <li>a matching {@code deny} wins; else a matching entry with the access allows; else no match;
 *   <li>subscribing to a wildcard filter is allowed (mosquitto checks subscriptions no further) and each
 *       delivery needs read access (no match on delivery denies, as in mosquitto).
 * </ul>
 * Immutable once read; any thread.
 */
public final class AclFile implements AuthzSource {
  static final int MAX_ENTRIES = 1_000_000;

  enum Access { READ, WRITE, READWRITE, DENY }

  record Entry(Access access, String topic) {
    boolean grants(boolean write) {
      return access == Access.READWRITE || (write ? access == Access.WRITE : access == Access.READ);
    }
  }

  private final List<Entry> anonymous;
  private final Map<String, List<Entry>> users;
  private final List<Entry> patterns;

  private AclFile(List<Entry> anonymous, Map<String, List<Entry>> users, List<Entry> patterns) {
    this.anonymous = anonymous;
    this.users = users;
    this.patterns = patterns;
  }

  public static AclFile read(Path file) {
    try {
      return parse(Files.readAllLines(file, StandardCharsets.UTF_8), "authorization.acl_file (" + file + ")");
    } catch (IOException e) {
      throw new ConfigError("authorization.acl_file", file.toString(), "a readable mosquitto ACL file (" + e + ")");
    }
  }

  static AclFile parse(List<String> lines, String where) {
    List<Entry> anonymous = new ArrayList<>();
    Map<String, List<Entry>> users = new HashMap<>();
    List<Entry> patterns = new ArrayList<>();
    List<Entry> current = anonymous;
    int n = 0;
    int entries = 0;
    for (String raw : lines) {
      n++;
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      if (++entries > MAX_ENTRIES) {
        throw new ConfigError(where, "more than " + MAX_ENTRIES + " lines");
      }
      String[] kw = line.split("\\s+", 2);
      String rest = kw.length > 1 ? kw[1].strip() : "";
      switch (kw[0]) {
        case "user" -> {
          if (rest.isEmpty()) {
            throw new ConfigError(where, "line " + n + ": user without a name");
          }
          current = users.computeIfAbsent(rest, u -> new ArrayList<>());
        }
        case "topic", "pattern" -> {
          Entry e = entry(rest, where, n);
          (kw[0].equals("topic") ? current : patterns).add(e);
        }
        default -> throw new ConfigError(where, "line " + n + ": expected user, topic or pattern, found \"" + kw[0] + "\"");
      }
    }
    return new AclFile(List.copyOf(anonymous), Map.copyOf(users), List.copyOf(patterns));
  }

  private static Entry entry(String rest, String where, int n) {
    String[] p = rest.split("\\s+", 2);
    Access access = switch (p[0]) {
      case "read" -> Access.READ;
      case "write" -> Access.WRITE;
      case "readwrite" -> Access.READWRITE;
      case "deny" -> Access.DENY;
      default -> null;
    };
    String topic = access == null ? rest : (p.length > 1 ? p[1].strip() : "");
    if (topic.isEmpty()) {
      throw new ConfigError(where, "line " + n + ": no topic");
    }
    return new Entry(access == null ? Access.READWRITE : access, topic);
  }

  @Override
  public String name() {
    return "acl_file";
  }

  /** TRUE, FALSE or null (no match) for an access to a concrete topic. */
  Boolean decide(ClientInfo c, boolean write, String topic) {
    if (!patterns.isEmpty() && (dangerous(c.clientId()) || dangerous(c.username()))) {
      return false; // mosquitto: "ACL denying access to client with dangerous client id/username"
    }
    List<Entry> own = c.username() == null ? anonymous : users.getOrDefault(c.username(), List.of());
    boolean granted = false;
    for (Entry e : own) {
      if (Topics.matches(e.topic(), topic)) {
        if (e.access() == Access.DENY) {
          return false;
        }
        granted |= e.grants(write);
      }
    }
    for (Entry e : patterns) {
      String t = substitute(e.topic(), c);
      if (t != null && Topics.matches(t, topic)) {
        if (e.access() == Access.DENY) {
          return false;
        }
        granted |= e.grants(write);
      }
    }
    return granted ? Boolean.TRUE : null;
  }

  private static boolean dangerous(String v) {
    return v != null && (v.indexOf('+') >= 0 || v.indexOf('#') >= 0);
  }

  static String substitute(String pattern, ClientInfo c) {
    String out = pattern;
    if (out.contains("%u")) {
      if (c.username() == null) {
        return null;
      }
      out = out.replace("%u", c.username());
    }
    return out.replace("%c", c.clientId());
  }

  @Override
  public Boolean check(ClientInfo client, Authorizer.Action action, String topic) {
    if (action == Authorizer.Action.PUBLISH) {
      return decide(client, true, topic);
    }
    if (Topics.hasWildcard(topic)) {
      return true; // mosquitto grants every subscription; each delivery is checked for read access
    }
    return decide(client, false, topic);
  }

  @Override
  public Boolean checkDelivery(ClientInfo client, String topic) {
    return Boolean.TRUE.equals(decide(client, false, topic));
  }

  @Override
  public boolean checksDelivery(ClientInfo client) {
    return true;
  }
}
