package io.estuary.bench.durability;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The packaged gateway as a child process: waits for "Estuary started", reads the MQTT port, SIGKILLs. */
final class GatewayChild implements AutoCloseable {
  private static final Pattern TCP = Pattern.compile("listener mqtt tcp:default on (\\S+):(\\d+)");
  private final Process process;
  private final List<String> lines = new CopyOnWriteArrayList<>();

  GatewayChild(Path jar, Path config, String javaOpts) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String o : javaOpts.trim().split("\\s+")) {
      if (!o.isEmpty()) {
        cmd.add(o);
      }
    }
    cmd.addAll(List.of("-jar", jar.toString(), "-c", config.toString()));
    process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String l;
        while ((l = r.readLine()) != null) {
          lines.add(l);
        }
      } catch (IOException ignored) {
        // ended
      }
    }, "gateway-output");
    t.setDaemon(true);
    t.start();
  }

  /** The MQTT/TCP port once started; throws with the output if it did not start in time. */
  int awaitStarted(long timeoutMillis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (System.currentTimeMillis() < deadline) {
      if (lines.stream().anyMatch(l -> l.contains("Estuary started"))) {
        for (String l : lines) {
          Matcher m = TCP.matcher(l);
          if (m.find()) {
            return Integer.parseInt(m.group(2));
          }
        }
      }
      if (!process.isAlive()) {
        break;
      }
      Thread.sleep(10);
    }
    throw new IllegalStateException("gateway did not start:\n" + String.join("\n", lines));
  }

  List<String> lines() {
    return lines;
  }

  void kill() throws InterruptedException {
    process.toHandle().destroyForcibly();
    process.waitFor(20, TimeUnit.SECONDS);
  }

  void terminate() throws InterruptedException {
    process.toHandle().destroy();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }
}
