package io.estuary.lua;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * {@code plugins.lua.*} as the runtime reads it (defaults in reference.conf). Scripts come from {@code scripts}
 * (a list; the gateway flattens it to a comma-joined string) and from VerneMQ-style {@code <name>.file} keys
 * ({@code vmq_diversity.<name>.file} becomes {@code plugins.lua.<name>.file}); a relative script resolves against
 * the first directory of {@code script_path}, which {@code require} searches ({@code auth/commons} is
 * {@code <dir>/auth/commons.lua}).
 *
 * @param scripts the script files, in chain order (list first, then the {@code .file} keys by name)
 * @param scriptPath the directories {@code require} searches, in order
 * @param numStates Lua states per script (VerneMQ's {@code num_states}): how many calls of one script run at once
 * @param callTimeout the CPU/time limit of one call (the script's top level gets 10 times as much)
 * @param queueSize calls waiting for a state at most; more are refused (a logged deny)
 */
public record LuaConfig(List<Path> scripts, List<Path> scriptPath, int numStates, Duration callTimeout, int queueSize) {

  public LuaConfig {
    scripts = List.copyOf(scripts);
    scriptPath = List.copyOf(scriptPath);
    if (numStates < 1 || numStates > 256) {
      throw new IllegalArgumentException("plugins.lua.num_states must be 1..256, was " + numStates);
    }
    if (callTimeout.isNegative() || callTimeout.isZero()) {
      throw new IllegalArgumentException("plugins.lua.call_timeout must be positive");
    }
  }

  /** Reads the flattened {@code plugins.lua} block. */
  public static LuaConfig from(Map<String, String> c) {
    List<Path> path = new ArrayList<>();
    for (String d : split(c.getOrDefault("script_path", "lua"))) {
      path.add(Path.of(d));
    }
    if (path.isEmpty()) {
      path.add(Path.of("."));
    }
    Path base = path.get(0);
    List<Path> scripts = new ArrayList<>();
    for (String s : split(c.getOrDefault("scripts", ""))) {
      scripts.add(base.resolve(s).normalize());
    }
    Map<String, String> named = new java.util.TreeMap<>();
    for (Map.Entry<String, String> e : c.entrySet()) {
      String k = e.getKey();
      if (k.endsWith(".file") && k.indexOf('.') == k.length() - 5 && !e.getValue().isBlank()) {
        named.put(k, e.getValue().trim());
      }
    }
    named.values().forEach(f -> scripts.add(base.resolve(f).normalize()));
    return new LuaConfig(new ArrayList<>(new LinkedHashSet<>(scripts)), path, Integer.parseInt(c.getOrDefault("num_states", "1").trim()),
        duration(c.getOrDefault("call_timeout", "1s")), Integer.parseInt(c.getOrDefault("queue_size", "10000").trim()));
  }

  static List<String> split(String s) {
    List<String> out = new ArrayList<>();
    for (String p : s.split(",")) {
      if (!p.isBlank()) {
        out.add(p.trim());
      }
    }
    return out;
  }

  /** HOCON's short durations: {@code 500ms}, {@code 1s}, {@code 2m}; a bare number is milliseconds. */
  static Duration duration(String raw) {
    String s = raw.trim().toLowerCase(java.util.Locale.ROOT);
    int i = 0;
    while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
      i++;
    }
    double n = Double.parseDouble(s.substring(0, i));
    String unit = s.substring(i).trim();
    long ms = switch (unit) {
      case "", "ms", "millis", "milliseconds" -> Math.round(n);
      case "s", "second", "seconds" -> Math.round(n * 1000);
      case "m", "minute", "minutes" -> Math.round(n * 60_000);
      default -> throw new IllegalArgumentException("plugins.lua.call_timeout: not a duration: " + raw);
    };
    return Duration.ofMillis(ms);
  }
}
