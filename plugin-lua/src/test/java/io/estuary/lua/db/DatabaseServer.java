package io.estuary.lua.db;

import static org.awaitility.Awaitility.await;

import io.estuary.testkit.ExternalPeers;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real database server (Debian's postgresql, mariadb-server, redis-server, memcached) started by a test class
 * on a free loopback port in a temporary directory and stopped after it; {@link #stop} and {@link #start} again
 * on the same port and data simulate an outage. Missing binaries skip the test on a developer machine and fail
 * it under {@code CI=true} (.ci/run installs them).
 */
abstract class DatabaseServer implements AutoCloseable {
  static final String USER = "vmq";
  static final String PASSWORD = "vmq-secret";
  static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  final Path dir;
  final int port;
  private Process process;

  DatabaseServer(String name) {
    try {
      dir = Files.createTempDirectory("estuary-" + name + "-");
      port = freePort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The server's first start: create its data, then {@link #start}. */
  abstract void init() throws Exception;

  /** Starts the server (again) and returns once it accepts clients. */
  abstract void start() throws Exception;

  /** Stops the server; its data stays for the next {@link #start}. */
  void stop() throws Exception {
    if (process != null) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      process = null;
    }
  }

  int port() {
    return port;
  }

  @Override
  public void close() throws Exception {
    try {
      stop();
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** Starts {@code command} as the server process, its output in {@code <dir>/<log>}. */
  void spawn(String log, String... command) throws IOException {
    process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(dir.resolve(log).toFile()).start();
  }

  /** Runs a command to its end (initdb, pg_ctl); fails with its output when it exits non-zero. */
  static void run(Path log, String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException(String.join(" ", command) + " failed:\n" + Files.readString(log));
    }
  }

  void awaitPort() {
    await().atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
      if (process != null && !process.isAlive()) {
        throw new AssertionError("server exited: " + process.exitValue());
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
        return true;
      }
    });
  }

  static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  /** {@code command} as {@code user} when the tests run as root (PostgreSQL refuses root). */
  static String[] as(String user, String... command) {
    if (!isRoot()) {
      return command;
    }
    List<String> c = new ArrayList<>(List.of("runuser", "-u", user, "--"));
    c.addAll(List.of(command));
    return c.toArray(new String[0]);
  }

  /** The first executable of {@code candidates}, or fails/skips as {@link ExternalPeers} does. */
  static String binary(String what, String... candidates) {
    for (String c : candidates) {
      if (Files.isExecutable(Path.of(c))) {
        return c;
      }
    }
    ExternalPeers.require(false, what + " is not installed (" + String.join(", ", candidates) + ")");
    throw new AssertionError("unreachable");
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
