package io.estuary.core.trace;

import io.estuary.api.PacketTrace;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The clients being traced and their files, {@code <dir>/<clientid>-<start millis>.log}, one line per packet
 * in or out: {@code <instant> <protocol> IN|OUT <clientid> <packet>}. Adapters' threads only look up the map
 * and queue a line (at most {@value #QUEUE} waiting; beyond, lines are dropped and counted in the file's last
 * line); the daemon thread {@code estuary-trace} writes them. At most {@value #MAX_TRACES} clients at once; a
 * line is cut at {@value #MAX_LINE} characters (a SUBSCRIBE of thousands of filters is one packet) and a file
 * stops growing at {@value #MAX_FILE_BYTES} bytes (later lines dropped and counted), so neither the queue nor
 * the disk holds more than that, whatever a traced client sends.
 */
public final class ClientTraces implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ClientTraces.class);
  static final int QUEUE = 10_000;
  static final int MAX_TRACES = 32;
  static final int MAX_LINE = 4096;
  static final long MAX_FILE_BYTES = 64L << 20;

  private final Path dir;
  private final Clock clock;
  private final Map<String, Active> active = new ConcurrentHashMap<>();
  private final BlockingQueue<Line> lines = new ArrayBlockingQueue<>(QUEUE);
  private final Thread writer;
  private final long maxFileBytes;

  /** One client's trace: its file (written by the writer thread only) and its counts. */
  public static final class Active {
    final String clientId;
    final Path file;
    final BufferedWriter out;
    final AtomicLong written = new AtomicLong();
    final AtomicLong dropped = new AtomicLong();
    /** Bytes written to the file (the writer thread's). */
    long chars;

    Active(String clientId, Path file, BufferedWriter out) {
      this.clientId = clientId;
      this.file = file;
      this.out = out;
    }

    public Path file() {
      return file;
    }

    public long lines() {
      return written.get();
    }

    public long dropped() {
      return dropped.get();
    }

    public String clientId() {
      return clientId;
    }
  }

  private record Line(Active trace, String text, CompletableFuture<Void> closed) {}

  public ClientTraces(Path dir, Clock clock) {
    this(dir, clock, MAX_FILE_BYTES);
  }

  /** With files of at most {@code maxFileBytes} bytes (tests). */
  ClientTraces(Path dir, Clock clock, long maxFileBytes) {
    this.dir = dir;
    this.clock = clock;
    this.maxFileBytes = maxFileBytes;
    this.writer = new Thread(this::write, "estuary-trace");
    writer.setDaemon(true);
    writer.start();
  }

  /** Starts tracing {@code clientId} (already traced: the same trace); its file is created now. */
  public synchronized Active start(String clientId) throws IOException {
    Active a = active.get(clientId);
    if (a != null) {
      return a;
    }
    if (active.size() >= MAX_TRACES) {
      throw new IllegalStateException("at most " + MAX_TRACES + " clients can be traced at once");
    }
    Files.createDirectories(dir);
    String safe = clientId.replaceAll("[^A-Za-z0-9._-]", "_");
    Path file = dir.resolve((safe.length() > 80 ? safe.substring(0, 80) : safe) + "-" + clock.millis() + ".log");
    a = new Active(clientId, file, Files.newBufferedWriter(file, StandardCharsets.UTF_8));
    active.put(clientId, a);
    LOG.info("tracing client {} to {}", clientId, file);
    return a;
  }

  /** Stops tracing {@code clientId}; answers once its lines are in the file (or after 5 s), null if it was not traced. */
  public Active stop(String clientId) {
    Active a;
    synchronized (this) {
      a = active.remove(clientId);
    }
    if (a == null) {
      return null;
    }
    CompletableFuture<Void> closed = new CompletableFuture<>();
    try {
      if (lines.offer(new Line(a, null, closed), 5, TimeUnit.SECONDS)) {
        closed.get(5, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      LOG.warn("trace of {} not closed cleanly: {}", clientId, e.toString());
    }
    LOG.info("stopped tracing client {}: {} lines in {}", clientId, a.written.get(), a.file);
    return a;
  }

  public List<Active> list() {
    return new ArrayList<>(active.values());
  }

  /** The trace adapters of {@code protocol} write into for {@code clientId}, or null (nothing allocated) if not traced. */
  public PacketTrace forClient(String protocol, String clientId) {
    if (active.isEmpty()) {
      return null;
    }
    Active a = active.get(clientId);
    if (a == null) {
      return null;
    }
    return new PacketTrace() {
      @Override
      public void in(String packet) {
        queue(a, protocol + " IN  " + clientId + " " + packet);
      }

      @Override
      public void out(String packet) {
        queue(a, protocol + " OUT " + clientId + " " + packet);
      }
    };
  }

  private void queue(Active a, String text) {
    String line = Instant.ofEpochMilli(clock.millis()) + " " + text;
    if (line.length() > MAX_LINE) {
      line = line.substring(0, MAX_LINE - 40) + " ... (" + (line.length() - MAX_LINE + 40) + " more characters)";
    }
    if (!lines.offer(new Line(a, line, null))) {
      a.dropped.incrementAndGet();
    }
  }

  private void write() {
    try {
      while (true) {
        Line l = lines.take();
        try {
          if (l.closed() != null) {
            if (l.trace().dropped.get() > 0) {
              l.trace().out.write("# " + l.trace().dropped.get() + " lines dropped: the trace writer fell behind or the file"
                  + " reached " + maxFileBytes + " bytes\n");
            }
            l.trace().out.close();
            l.closed().complete(null);
            continue;
          }
          long bytes = utf8Length(l.text()) + 1;
          if (l.trace().chars + bytes > maxFileBytes) {
            l.trace().dropped.incrementAndGet(); // the file is full: counted in its last line
            continue;
          }
          l.trace().out.write(l.text());
          l.trace().out.write('\n');
          l.trace().chars += bytes;
          l.trace().written.incrementAndGet();
          if (lines.isEmpty()) {
            l.trace().out.flush();
          }
        } catch (IOException e) {
          l.trace().dropped.incrementAndGet();
          if (l.closed() != null) {
            l.closed().complete(null);
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The UTF-8 length of {@code s}: the file is capped in bytes. */
  static long utf8Length(String s) {
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      n += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3; // a surrogate pair: 2 + 2
    }
    return n;
  }

  /** Stops every trace (their files closed) and the writer thread. */
  @Override
  public void close() {
    for (String id : new ArrayList<>(active.keySet())) {
      stop(id);
    }
    writer.interrupt();
  }
}
