package io.estuary.app;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The packaged gateway (target/estuary.jar) run as a child process, its output captured line by line. */
public final class GatewayProcess implements AutoCloseable {
  private static final Pattern LISTENER = Pattern.compile("listener (\\S+) (\\S+) on (\\S+):(\\d+)");
  private final Process process;
  private final List<String> lines = new CopyOnWriteArrayList<>();

  private GatewayProcess(Process p) {
    this.process = p;
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          lines.add(line);
        }
      } catch (IOException ignored) {
        // process ended
      }
    }, "gateway-output");
    t.setDaemon(true);
    t.start();
  }

  public static Path jar() {
    return Path.of("target/estuary.jar").toAbsolutePath();
  }

  public static GatewayProcess start(Path config, Map<String, String> env, String... extraJvmArgs) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx512m");
    cmd.addAll(List.of(extraJvmArgs));
    cmd.add("-jar");
    cmd.add(jar().toString());
    cmd.add("-c");
    cmd.add(config.toString());
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().putAll(env);
    return new GatewayProcess(pb.start());
  }

  /** Writes a config that puts every listener on 127.0.0.1 port 0 plus {@code extra}. */
  public static Path config(Path dir, String extra) throws IOException {
    Path f = dir.resolve("estuary-it.conf");
    Files.writeString(f, """
        node.name = "estuary-it@127.0.0.1"
        node.shutdown_grace = 5s
        listeners.tcp.default.bind = "127.0.0.1:0"
        listeners.ssl.default.enable = false
        listeners.ws.default.bind = "127.0.0.1:0"
        listeners.wss.default.enable = false
        api.bind = "127.0.0.1:0"
        gateway.mqttsn.listeners.udp.default.bind = "127.0.0.1:0"
        gateway.coap.listeners.udp.default.bind = "127.0.0.1:0"
        gateway.lwm2m.listeners.udp.default.bind = "127.0.0.1:0"
        gateway.stomp.listeners.tcp.default.bind = "127.0.0.1:0"
        gateway.stomp.listeners.ssl.default.enable = false
        gateway.stomp.listeners.ws.default.bind = "127.0.0.1:0"
        gateway.tcp.listeners.tcp.default.bind = "127.0.0.1:0"
        gateway.tcp.listeners.ssl.default.enable = false
        persistence.dir = "%s"
        """.formatted(dir.resolve("data").toString().replace("\\", "/")) + extra);
    return f;
  }

  public List<String> lines() {
    return lines;
  }

  public String output() {
    return String.join("\n", lines);
  }

  /** Waits for a line containing {@code text}. */
  public boolean awaitLine(String text, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (lines.stream().anyMatch(l -> l.contains(text))) {
        return true;
      }
      if (!process.isAlive() && lines.stream().noneMatch(l -> l.contains(text))) {
        Thread.sleep(50); // let the reader thread take the last lines
        return lines.stream().anyMatch(l -> l.contains(text));
      }
      Thread.sleep(20);
    }
    return false;
  }

  /** The port the startup log reports for {@code protocol} listener {@code name}. */
  public int port(String protocol, String name) {
    for (String l : lines) {
      Matcher m = LISTENER.matcher(l);
      if (m.find() && m.group(1).equals(protocol) && m.group(2).equals(name)) {
        return Integer.parseInt(m.group(4));
      }
    }
    throw new IllegalStateException("no listener " + protocol + " " + name + " in:\n" + output());
  }

  public long pid() {
    return process.pid();
  }

  /** SIGTERM (through the handle: Process.destroy() would also close our end of its output). */
  public void terminate() {
    process.toHandle().destroy();
  }

  /** SIGKILL. */
  public void kill() {
    process.toHandle().destroyForcibly();
  }

  public Integer waitForExit(Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : null;
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
