package io.estuary.core.auth;

import io.estuary.core.config.ConfigError;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A mosquitto password file ({@code password_file}): one {@code username:hash} line per user, as
 * {@code mosquitto_passwd} writes it; blank lines and lines starting with {@code #} are ignored, as
 * mosquitto does. A line without a colon, or more than {@value #MAX_USERS} users, is a config error.
 * Immutable once read; any thread.
 */
public final class PasswordFile {
  static final int MAX_USERS = 1_000_000;
  private static final int MAX_LINE = 65_535;

  private final Map<String, String> hashes;

  private PasswordFile(Map<String, String> hashes) {
    this.hashes = hashes;
  }

  /** Reads {@code file}; {@code key} names the config key in errors. */
  public static PasswordFile read(Path file, String key) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigError(key, file.toString(), "a readable mosquitto password file (" + e + ")");
    }
    return new PasswordFile(parse(lines, key + " (" + file + ")"));
  }

  static Map<String, String> parse(List<String> lines, String where) {
    Map<String, String> out = new LinkedHashMap<>();
    int n = 0;
    for (String raw : lines) {
      n++;
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int colon = line.indexOf(':');
      if (colon <= 0 || line.length() > MAX_LINE) {
        throw new ConfigError(where, "line " + n + " is not \"username:hash\"");
      }
      if (out.size() >= MAX_USERS) {
        throw new ConfigError(where, "more than " + MAX_USERS + " users");
      }
      out.put(line.substring(0, colon), line.substring(colon + 1));
    }
    return out;
  }

  /** The user's stored hash, or null when the file does not name the user. */
  public String hash(String username) {
    return username == null ? null : hashes.get(username);
  }

  public int size() {
    return hashes.size();
  }

  // ---- editing, for `estuary passwd` ------------------------------------------------------------

  /** The lines of {@code file} with {@code username}'s entry set to {@code hash} (replaced in place, or appended). */
  public static List<String> withUser(List<String> lines, String username, String hash) {
    List<String> out = new ArrayList<>();
    boolean done = false;
    for (String l : lines) {
      if (!done && l.startsWith(username + ":")) {
        out.add(username + ":" + hash);
        done = true;
      } else {
        out.add(l);
      }
    }
    if (!done) {
      out.add(username + ":" + hash);
    }
    return out;
  }

  /** The lines of {@code file} without {@code username}; null when it was not there. */
  public static List<String> withoutUser(List<String> lines, String username) {
    List<String> out = new ArrayList<>();
    boolean found = false;
    for (String l : lines) {
      if (l.startsWith(username + ":")) {
        found = true;
      } else {
        out.add(l);
      }
    }
    return found ? out : null;
  }
}
