package io.estuary.bench.uplink;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The upstream broker: mosquitto on a free 127.0.0.1 port with a temp config. Unlimited queues for
 * the counting subscriber ({@code max_queued_messages 0}); {@code persistence true} without autosave,
 * so the subscriber's session (its subscription) survives {@link #stop()} / {@link #start()}.
 */
final class MosquittoProcess implements AutoCloseable {
  private final Path binary;
  private final Path dir;
  private final int port;
  private Process process;

  MosquittoProcess(Path binary) throws IOException {
    if (!Files.isExecutable(binary)) {
      throw new IllegalStateException("mosquitto not found at " + binary + " (apt-get install mosquitto, or --mosquitto PATH)");
    }
    this.binary = binary;
    this.dir = Files.createTempDirectory("uplink-bench-mosquitto");
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0)); // mosquitto cannot report an ephemeral port
      this.port = s.getLocalPort();
    }
  }

  int port() {
    return port;
  }

  void start() throws IOException, InterruptedException {
    Path conf = dir.resolve("mosquitto.conf");
    Files.writeString(conf, String.join("\n",
        "listener " + port + " 127.0.0.1",
        "allow_anonymous true",
        "user " + System.getProperty("user.name"), // as root mosquitto would switch to user mosquitto
        "persistence true",
        "persistence_location " + dir + "/",
        "autosave_interval 0",
        "max_queued_messages 0",
        "max_queued_bytes 0",
        "max_inflight_messages 0",
        "log_type error",
        ""));
    process = new ProcessBuilder(List.of(binary.toString(), "-c", conf.toString()))
        .redirectErrorStream(true).redirectOutput(dir.resolve("mosquitto.log").toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!accepts()) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException("mosquitto did not start: " + Files.readString(dir.resolve("mosquitto.log")));
      }
      Thread.sleep(20); // polling a process we do not control; bounded by the deadline
    }
  }

  private boolean accepts() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** SIGTERM: mosquitto closes its connections and saves its sessions. */
  void stop() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }
}
