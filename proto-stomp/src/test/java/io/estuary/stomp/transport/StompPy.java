package io.estuary.stomp.transport;

import static org.awaitility.Awaitility.await;

import io.estuary.testkit.ExternalPeers;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Runs Debian's stomp.py (python3-stomp) through the test resource {@code stomppy/client.py} as a
 * process; its output lines are what the real client saw.
 */
final class StompPy implements AutoCloseable {
  private static final String PYTHON = "/usr/bin/python3";
  private final Process process;
  final List<String> lines = new CopyOnWriteArrayList<>();

  private StompPy(Process process) {
    this.process = process;
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String l; (l = r.readLine()) != null; ) {
          lines.add(l);
        }
      } catch (IOException ignored) {
        // the process ended
      }
    }, "stomppy-output");
    t.setDaemon(true);
    t.start();
  }

  static void require() {
    boolean present = false;
    if (Files.isExecutable(Path.of(PYTHON))) {
      try {
        Process p = new ProcessBuilder(PYTHON, "-c", "import stomp").redirectErrorStream(true).start();
        present = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
      } catch (IOException e) {
        present = false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    ExternalPeers.require(present, "Debian's python3-stomp (stomp.py) for " + PYTHON);
  }

  static StompPy run(InetSocketAddress at, String... args) {
    require();
    List<String> cmd = new ArrayList<>(List.of(PYTHON, script().toString(), at.getHostString(),
        Integer.toString(at.getPort())));
    cmd.addAll(List.of(args));
    try {
      return new StompPy(new ProcessBuilder(cmd).redirectErrorStream(true).start());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path script() {
    try {
      return Path.of(StompPy.class.getResource("/stomppy/client.py").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Waits for a line starting with {@code prefix}. */
  StompPy awaitLine(String prefix) {
    await().atMost(Duration.ofSeconds(30)).until(() -> lines.stream().anyMatch(l -> l.startsWith(prefix))
        || !process.isAlive() && lines.stream().noneMatch(l -> l.startsWith(prefix)) && failed(prefix));
    return this;
  }

  private boolean failed(String prefix) {
    throw new AssertionError("stomp.py ended without '" + prefix + "': " + lines);
  }

  /** Waits for the process to end with DONE and returns its lines. */
  List<String> done() {
    awaitLine("DONE");
    return List.copyOf(lines);
  }

  List<String> starting(String prefix) {
    return lines.stream().filter(l -> l.startsWith(prefix)).toList();
  }

  @Override
  public void close() {
    process.destroy();
  }
}
