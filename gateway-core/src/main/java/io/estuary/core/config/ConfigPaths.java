package io.estuary.core.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Resolves the file and directory settings that the reference.conf files declare under
 * {@code estuary_schema.paths} against the install directory ({@code ESTUARY_HOME}), never the working
 * directory, and checks that configured directories exist. Kinds:
 * <ul>
 *   <li>{@code dir}: must exist when the user set it (a missing default is left to its reader, which may
 *       run without it);
 *   <li>{@code data_dir}: created by its owner, so only its parent must exist;
 *   <li>{@code file}: resolved only (its reader checks it when the feature is enabled).
 * </ul>
 * An empty value means "not set" and stays empty. A {@code *} right after a list of objects stands for
 * each element ({@code "gateway.lwm2m.bootstrap.configs.*.keyfile"}). Runs once, on the loading thread.
 */
final class ConfigPaths {
  private ConfigPaths() {}

  /** {@code merged} with every declared relative path made absolute under {@code home}. */
  static Config resolve(Config merged, Config user, Path home) {
    if (!merged.hasPath(ConfigSchema.SCHEMA + ".paths")) {
      return merged;
    }
    Map<String, String> kinds = new TreeMap<>();
    merged.getObject(ConfigSchema.SCHEMA + ".paths").forEach((k, v) -> kinds.put(k, String.valueOf(v.unwrapped())));
    Config out = merged;
    for (Map.Entry<String, String> e : kinds.entrySet()) {
      for (String key : expand(merged, e.getKey())) {
        if (!merged.hasPath(key) || merged.getValue(key).valueType() != ConfigValueType.STRING) {
          continue;
        }
        String raw = merged.getString(key).trim();
        if (raw.isEmpty() || raw.startsWith("-----BEGIN")) {
          continue; // unset, or the PEM text itself where a file setting also takes that (EMQX's public_key)
        }
        Path p = home.resolve(Path.of(raw)).normalize();
        check(key, raw, p, e.getValue(), user.hasPath(key));
        out = out.withValue(key, ConfigValueFactory.fromAnyRef(p.toString(), "resolved against ESTUARY_HOME " + home));
      }
      int star = e.getKey().lastIndexOf(".*.");
      if (star > 0) {
        for (String list : expand(out, e.getKey().substring(0, star))) {
          out = inListItems(out, user, home, list, e.getKey().substring(star + 3), e.getValue());
        }
      }
    }
    return out;
  }

  /** {@code c} with {@code key} of every object element of the list at {@code list} resolved. */
  private static Config inListItems(Config c, Config user, Path home, String list, String key, String kind) {
    if (!c.hasPath(list) || c.getValue(list).valueType() != ConfigValueType.LIST) {
      return c;
    }
    List<ConfigValue> items = new ArrayList<>();
    boolean changed = false;
    int i = 0;
    for (ConfigValue v : c.getList(list)) {
      if (v.valueType() == ConfigValueType.OBJECT) {
        Config item = ((ConfigObject) v).toConfig();
        if (item.hasPath(key) && item.getValue(key).valueType() == ConfigValueType.STRING
            && !item.getString(key).trim().isEmpty()) {
          String raw = item.getString(key).trim();
          Path p = home.resolve(Path.of(raw)).normalize();
          check(list + "[" + i + "]." + key, raw, p, kind, user.hasPath(list));
          v = item.withValue(key, ConfigValueFactory.fromAnyRef(p.toString(), "resolved against ESTUARY_HOME " + home)).root();
          changed = true;
        }
      }
      items.add(v);
      i++;
    }
    return changed ? c.withValue(list, ConfigValueFactory.fromIterable(items)) : c;
  }

  private static void check(String key, String raw, Path p, String kind, boolean userSet) {
    switch (kind) {
      case "dir" -> {
        if (userSet && !Files.isDirectory(p)) {
          throw new ConfigError(key, raw, "an existing directory (" + p + " is missing)");
        }
      }
      case "data_dir" -> {
        Path parent = p.getParent();
        if (parent != null && !Files.isDirectory(parent)) {
          throw new ConfigError(key, raw, "a directory whose parent exists (" + parent + " is missing)");
        }
        if (Files.exists(p) && !Files.isDirectory(p)) {
          throw new ConfigError(key, raw, "a directory (" + p + " is a file)");
        }
      }
      case "file" -> { }
      default -> throw new ConfigError(ConfigSchema.SCHEMA + ".paths." + key, kind, "dir, data_dir or file");
    }
  }

  /** The concrete keys a pattern names: each "*" segment stands for every key of the object at that point. */
  static List<String> expand(Config c, String pattern) {
    List<String> out = new ArrayList<>();
    expand(c, "", pattern.split("\\."), 0, out);
    return out;
  }

  private static void expand(Config c, String prefix, String[] segs, int i, List<String> out) {
    if (i == segs.length) {
      out.add(prefix);
      return;
    }
    if (!segs[i].equals("*")) {
      expand(c, prefix.isEmpty() ? segs[i] : prefix + "." + segs[i], segs, i + 1, out);
      return;
    }
    if (prefix.isEmpty() || !c.hasPath(prefix) || c.getValue(prefix).valueType() != ConfigValueType.OBJECT) {
      return;
    }
    for (String k : c.getObject(prefix).keySet()) {
      String q = k.contains(".") ? "\"" + k + "\"" : k;
      expand(c, prefix + "." + q, segs, i + 1, out);
    }
  }
}
