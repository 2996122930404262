package io.estuary.app;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Loads, on its own thread, the classes a start loads, in the order it loads them (issue #19: start-up ≤ 2 s on a start
 * without a class-data archive), so that the start thread finds most of them loaded when it gets there: parsing
 * thousands of class files from the jar and the JDK's modules is the largest part of a start, and with it in parallel
 * the start thread spends its time binding listeners instead. Classes are only loaded ({@code Class.forName(name,
 * false, loader)}), never initialised: no static initialiser runs earlier or on another thread than it did before. A
 * name that does not exist (the list is from an older build) is skipped.
 *
 * <p>The list, {@code start-classes.txt} next to this class, is recorded by {@code bench/start-classes.sh} from
 * {@code -Xlog:class+load} of a start. Runs on the daemon thread {@code estuary-preload}; it owns no shared state.
 * {@code -Destuary.preload=false} turns it off.
 */
final class ClassPreloader {
  private ClassPreloader() {}

  static Thread start() {
    if (!Boolean.parseBoolean(System.getProperty("estuary.preload", "true"))) {
      return null;
    }
    InputStream list = ClassPreloader.class.getResourceAsStream("start-classes.txt");
    if (list == null) {
      return null;
    }
    ClassLoader loader = ClassPreloader.class.getClassLoader();
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(list, StandardCharsets.UTF_8))) {
        for (String name; (name = r.readLine()) != null; ) {
          try {
            Class.forName(name, false, loader);
          } catch (ClassNotFoundException | LinkageError ignored) {
            // from an older build, or not loadable here: the start thread would load it (or not) the same way
          }
        }
      } catch (IOException ignored) {
        // a shorter preload only
      }
    }, "estuary-preload");
    t.setDaemon(true);
    t.start();
    return t;
  }
}
