package io.estuary.core.hooks;

import io.estuary.api.hooks.HookPlugin;
import io.estuary.core.config.ConfigError;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the plugins: {@link ServiceLoader} over the class path and over the jars of the plugins
 * directory (one class loader for all of them, child of the gateway's), then orders them by
 * {@code hooks.order} and name. Runs once, at start, on the starting thread.
 */
public final class PluginLoader {
  private static final Logger LOG = LoggerFactory.getLogger(PluginLoader.class);

  private PluginLoader() {
  }

  /** The plugins of the class path and of {@code dir}'s jars, plus {@code given} (tests, built-ins), in chain order. */
  public static List<HookPlugin> load(HooksConfig config, List<HookPlugin> given) {
    Map<String, HookPlugin> byName = new HashMap<>();
    for (HookPlugin p : given) {
      add(byName, p, "given");
    }
    ClassLoader parent = PluginLoader.class.getClassLoader();
    ClassLoader loader = jarLoader(config.pluginsDir(), parent);
    for (HookPlugin p : ServiceLoader.load(HookPlugin.class, loader)) {
      add(byName, p, p.getClass().getName());
    }
    return ordered(byName, config.order());
  }

  static List<HookPlugin> ordered(Map<String, HookPlugin> byName, List<String> order) {
    Map<String, HookPlugin> rest = new LinkedHashMap<>();
    byName.keySet().stream().sorted().forEach(n -> rest.put(n, byName.get(n)));
    List<HookPlugin> out = new ArrayList<>();
    for (String n : order) {
      HookPlugin p = rest.remove(n);
      if (p == null) {
        throw new ConfigError("hooks.order", n, "the name of a loaded plugin (loaded: " + byName.keySet() + ")");
      }
      out.add(p);
    }
    out.addAll(rest.values());
    return out;
  }

  private static void add(Map<String, HookPlugin> byName, HookPlugin p, String from) {
    HookPlugin before = byName.putIfAbsent(p.name(), p);
    if (before != null && before.getClass() != p.getClass()) {
      throw new ConfigError("hooks", "two plugins are named \"" + p.name() + "\": " + before.getClass().getName()
          + " and " + p.getClass().getName());
    }
    LOG.debug("plugin {} found ({})", p.name(), from);
  }

  private static ClassLoader jarLoader(Path dir, ClassLoader parent) {
    if (!Files.isDirectory(dir)) {
      return parent;
    }
    List<URL> jars = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".jar")).sorted(Comparator.naturalOrder()).toList()) {
        jars.add(f.toUri().toURL());
        LOG.info("plugin jar {}", f);
      }
    } catch (MalformedURLException e) {
      throw new ConfigError("hooks.plugins_dir", dir.toString(), "readable jars (" + e.getMessage() + ")");
    } catch (IOException e) {
      throw new ConfigError("hooks.plugins_dir", dir.toString(), "a readable directory (" + e.getMessage() + ")");
    }
    return jars.isEmpty() ? parent : new URLClassLoader("estuary-plugins", jars.toArray(URL[]::new), parent);
  }
}
