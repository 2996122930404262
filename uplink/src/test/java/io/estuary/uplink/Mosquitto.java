package io.estuary.uplink;

import static org.awaitility.Awaitility.await;

import io.estuary.testkit.ExternalPeers;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real upstream broker for ITs: Debian's mosquitto on 127.0.0.1 with a temp config, stopped with
 * SIGTERM (so {@code persistence true} saves its sessions) and restartable on the same port.
 */
final class Mosquitto implements AutoCloseable {
  static final Path BINARY = Path.of("/usr/sbin/mosquitto");

  private final Path dir;
  private final int port;
  private final String extra;
  private Process process;

  private Mosquitto(Path dir, int port, String extra) {
    this.dir = dir;
    this.port = port;
    this.extra = extra;
  }

  /** Starts mosquitto on a free loopback port; {@code extra} is appended to its config. Skips the test without the binary. */
  static Mosquitto launch(String extra) throws IOException {
    ExternalPeers.require(Files.isExecutable(BINARY), "mosquitto not installed at " + BINARY);
    Path dir = Files.createTempDirectory("mosquitto-it");
    int port;
    // mosquitto cannot report an ephemeral port: take one the OS just handed out
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      port = s.getLocalPort();
    }
    Mosquitto m = new Mosquitto(dir, port, extra);
    m.start();
    return m;
  }

  static Mosquitto launch() throws IOException {
    return launch("");
  }

  /** With {@code persistence true}: sessions and queued messages survive {@link #stop}/{@link #start()}. */
  static Mosquitto launchPersistent() throws IOException {
    return launch("persistence true\nautosave_interval 1\n");
  }

  int port() {
    return port;
  }

  Path dir() {
    return dir;
  }

  void start() throws IOException {
    Path conf = dir.resolve("mosquitto.conf");
    String persistence = extra.contains("persistence true") ? "persistence_location " + dir + "/\n" : "";
    // as root, mosquitto would switch to user "mosquitto", which cannot write the temp dir
    String user = "user " + System.getProperty("user.name") + "\n";
    Files.writeString(conf, "listener " + port + " 127.0.0.1\nallow_anonymous true\n" + user + persistence + extra);
    process = new ProcessBuilder(List.of(BINARY.toString(), "-c", conf.toString()))
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("mosquitto.log").toFile())
        .start();
    await("mosquitto listening on " + port).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
        .ignoreExceptions().until(this::accepts);
  }

  private boolean accepts() throws IOException {
    if (!process.isAlive()) {
      throw new IllegalStateException("mosquitto exited: " + Files.readString(dir.resolve("mosquitto.log")));
    }
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    }
  }

  /** SIGTERM and wait: mosquitto closes every connection (and saves its sessions when persistent). */
  void stop() {
    if (process != null && process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void close() {
    stop();
  }
}
