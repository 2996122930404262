package io.estuary.core.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The keys a config file may hold: the merged {@code reference.conf} files of every module on the class
 * path, plus the open maps and list items those files declare under {@value #SCHEMA} (docs/architecture.md,
 * "Configuration"). {@link #check} refuses a key that none of them knows, with its file and line and the
 * closest valid key.
 *
 * <p>Immutable; built once per load on the loading thread.
 */
public final class ConfigSchema {
  /** The reserved block where a module's reference.conf declares its open maps, list items and paths. */
  public static final String SCHEMA = "estuary_schema";

  private final ConfigObject reference;
  /** path pattern ("listeners.tcp", "gateway.*.listeners.udp") → template entry name ("" = anything goes) */
  private final Map<String, String> openMaps;
  /** path pattern of a list of objects → the keys each element may hold */
  private final Map<String, List<String>> listItems;
  private final List<String> allKeys;

  private ConfigSchema(Config reference) {
    this.reference = reference.root();
    this.openMaps = new TreeMap<>();
    this.listItems = new TreeMap<>();
    if (reference.hasPath(SCHEMA + ".open_maps")) {
      reference.getObject(SCHEMA + ".open_maps").forEach((k, v) -> openMaps.put(k, String.valueOf(v.unwrapped())));
    }
    if (reference.hasPath(SCHEMA + ".list_items")) {
      Config items = reference.getConfig(SCHEMA + ".list_items");
      items.root().keySet().forEach(k -> listItems.put(k, items.getStringList("\"" + k + "\"")));
    }
    List<String> keys = new ArrayList<>();
    collect(this.reference, "", keys);
    this.allKeys = List.copyOf(keys);
  }

  /** The schema of {@code reference} (normally {@code ConfigFactory.defaultReference()}). */
  public static ConfigSchema of(Config reference) {
    return new ConfigSchema(reference);
  }

  /** The path patterns declared as open maps (for docs and tests). */
  public Set<String> openMaps() {
    return openMaps.keySet();
  }

  /**
   * Throws a {@link ConfigError} listing every key of {@code user} (a resolved tree, not merged with the
   * defaults) that the schema does not know.
   */
  public void check(Config user) {
    List<String> problems = new ArrayList<>();
    walk(user.root(), reference, "", problems);
    if (!problems.isEmpty()) {
      String first = problems.get(0);
      throw ConfigError.unknownKeys(first.substring(0, first.indexOf(' ')), problems);
    }
  }

  private void walk(ConfigObject user, ConfigObject ref, String path, List<String> problems) {
    if (path.equals(SCHEMA)) {
      return;
    }
    String template = openMapTemplate(path);
    for (Map.Entry<String, ConfigValue> e : new TreeMap<>(user).entrySet()) {
      String key = join(path, e.getKey());
      ConfigValue value = e.getValue();
      ConfigValue refValue;
      if (template != null) {
        if (template.isEmpty()) {
          continue; // a free-form map: the module checks the entries itself
        }
        refValue = ref == null ? null : ref.get(template);
        if (refValue == null) {
          continue;
        }
      } else {
        refValue = ref == null ? null : ref.get(e.getKey());
        if (refValue == null) {
          problems.add(key + " " + unknown(key, e.getKey(), ref, value.origin()));
          continue;
        }
      }
      if (value.valueType() == ConfigValueType.OBJECT && refValue.valueType() == ConfigValueType.OBJECT) {
        walk((ConfigObject) value, (ConfigObject) refValue, key, problems);
      } else if (value.valueType() == ConfigValueType.LIST) {
        checkItems(key, (ConfigList) value, problems);
      }
    }
  }

  private void checkItems(String key, ConfigList list, List<String> problems) {
    List<String> allowed = match(listItems, key);
    if (allowed == null) {
      return;
    }
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i) instanceof ConfigObject o) {
        for (Map.Entry<String, ConfigValue> e : new TreeMap<>(o).entrySet()) {
          if (!allowed.contains(e.getKey())) {
            String k = key + "[" + i + "]." + e.getKey();
            String near = nearest(e.getKey(), allowed);
            problems.add(k + " is not a config key (" + where(e.getValue().origin()) + "): "
                + (near != null ? "did you mean " + near + "?" : "an element of " + key + " may hold " + String.join(", ", allowed)));
          }
        }
      }
    }
  }

  private String unknown(String key, String leaf, ConfigObject siblings, ConfigOrigin origin) {
    String at = "is not a config key (" + where(origin) + ")";
    List<String> names = siblings == null ? List.of() : new ArrayList<>(siblings.keySet());
    names.remove(SCHEMA);
    String near = nearest(leaf, names);
    if (near != null) {
      return at + ": did you mean " + near + "?";
    }
    for (String k : allKeys) {
      if (k.endsWith("." + leaf) || k.equals(leaf)) {
        return at + ": did you mean " + k + "?";
      }
    }
    String global = nearest(key, allKeys);
    if (global != null) {
      return at + ": did you mean " + global + "?";
    }
    return at + (names.isEmpty() ? "" : ": valid keys here are " + String.join(", ", new TreeMap<>(siblings).keySet()));
  }

  static String where(ConfigOrigin o) {
    if (o == null) {
      return "unknown origin";
    }
    if (o.filename() != null) {
      return o.filename() + (o.lineNumber() > 0 ? " line " + o.lineNumber() : "");
    }
    return o.description();
  }

  /** The closest name within an edit distance that grows with its length, or null. */
  static String nearest(String typo, List<String> names) {
    String best = null;
    int bestD = Integer.MAX_VALUE;
    int limit = Math.max(1, Math.min(3, typo.length() / 4));
    for (String n : names) {
      int d = distance(typo, n);
      if (d < bestD && d <= limit) {
        best = n;
        bestD = d;
      }
    }
    return best;
  }

  /** Optimal string alignment distance: Levenshtein plus swapped neighbours ("anonymuos"). */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }

  private String openMapTemplate(String path) {
    return match(openMaps, path);
  }

  /** The value of the first pattern ("*" matches one segment) that matches {@code path}, or null. */
  static <V> V match(Map<String, V> patterns, String path) {
    V exact = patterns.get(path);
    if (exact != null) {
      return exact;
    }
    for (Map.Entry<String, V> e : patterns.entrySet()) {
      if (e.getKey().contains("*") && matches(e.getKey(), path)) {
        return e.getValue();
      }
    }
    return null;
  }

  static boolean matches(String pattern, String path) {
    String[] p = pattern.split("\\.");
    String[] s = path.split("\\.");
    if (p.length != s.length) {
      return false;
    }
    for (int i = 0; i < p.length; i++) {
      if (!p[i].equals("*") && !p[i].equals(s[i])) {
        return false;
      }
    }
    return true;
  }

  private void collect(ConfigObject o, String path, List<String> out) {
    Set<String> seen = new HashSet<>();
    for (Map.Entry<String, ConfigValue> e : new TreeMap<>(o).entrySet()) {
      String key = join(path, e.getKey());
      if (key.equals(SCHEMA) || !seen.add(key)) {
        continue;
      }
      out.add(key);
      if (e.getValue() instanceof ConfigObject child && openMapTemplate(key) == null) {
        collect(child, key, out);
      }
    }
  }

  private static String join(String path, String key) {
    String k = key.contains(".") || key.isEmpty() ? "\"" + key + "\"" : key;
    return path.isEmpty() ? k : path + "." + k;
  }
}
