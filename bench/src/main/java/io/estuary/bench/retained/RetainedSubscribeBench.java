package io.estuary.bench.retained;

import io.estuary.api.Message;
import io.estuary.api.Payload;
import io.estuary.api.topic.Topics;
import io.estuary.core.topic.RetainedIndex;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a SUBSCRIBE costs to find its retained messages among 1,000,000 ({@code site/<s>/dev/<d>/temp}, s and d
 * in 0..999): {@code scan} is the loop the broker ran before issue #13 (every retained message through
 * {@link Topics#matches}, copied here from the old {@code Router.retainedMatching}), {@code index} is
 * {@link RetainedIndex#match}, which the broker runs now. Both hold the same messages; the answer sizes are
 * checked at setup so the two are known to agree.
 *
 * <p>Run: {@code bench/retained-bench.sh} (JMH, one fork per parameter pair, average time per subscribe).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xms3g", "-Xmx3g"})
public class RetainedSubscribeBench {
  static final int SITES = 1000;
  static final int DEVICES = 1000;

  /** exact topic (1 match), {@code a/+/c} shape (1 match), a {@code +} matching 1,000, a {@code #} matching 1,000. */
  @Param({"site/500/dev/500/temp", "site/500/+/500/temp", "site/+/dev/42/temp", "site/42/#"})
  public String filter;

  @Param({"scan", "index"})
  public String impl;

  private ConcurrentHashMap<String, Message> byTopic;
  private RetainedIndex index;

  @Setup(Level.Trial)
  public void fill() {
    Payload payload = Payload.utf8("21.5");
    if (impl.equals("scan")) {
      byTopic = new ConcurrentHashMap<>(2 * SITES * DEVICES);
    } else {
      index = new RetainedIndex();
    }
    for (int s = 0; s < SITES; s++) {
      for (int d = 0; d < DEVICES; d++) {
        Message m = Message.of("site/" + s + "/dev/" + d + "/temp", payload, 1, true);
        if (byTopic != null) {
          byTopic.put(m.topic(), m);
        } else {
          index.put(m);
        }
      }
    }
    int expected = filter.contains("+/dev/") || filter.endsWith("#") ? 1000 : 1;
    int got = subscribe().size();
    if (got != expected) {
      throw new IllegalStateException(impl + " found " + got + " for " + filter + ", expected " + expected);
    }
  }

  @Benchmark
  public List<Message> subscribe() {
    return impl.equals("scan") ? scan(byTopic, filter) : lookup(index, filter);
  }

  /** The broker's lookup before issue #13 (Router.retainedMatching without the expiry branch, never taken here). */
  static List<Message> scan(ConcurrentHashMap<String, Message> retained, String filter) {
    List<Message> out = new ArrayList<>();
    for (Message m : retained.values()) {
      if (Topics.matches(filter, m.topic())) {
        out.add(m);
      }
    }
    return out;
  }

  static List<Message> lookup(RetainedIndex index, String filter) {
    List<Message> out = new ArrayList<>();
    index.match(filter, out::add);
    return out;
  }
}
