package io.estuary.mqttsn.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.mqttsn.codec.DecodeResult;
import io.estuary.testkit.CountingCounter;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class HandOffTest {
  /** Captures what would run on the dispatcher's loop: executed now vs scheduled for its next turn. */
  static final class Loop extends ScheduledThreadPoolExecutor {
    final List<Runnable> executed = new ArrayList<>();
    final List<Runnable> scheduled = new ArrayList<>();

    Loop() {
      super(1);
    }

    @Override
    public void execute(Runnable r) {
      executed.add(r);
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable r, long delay, TimeUnit unit) {
      scheduled.add(r);
      return null;
    }

    Runnable next() {
      return !executed.isEmpty() ? executed.remove(0) : scheduled.remove(0);
    }
  }


  private static final InetSocketAddress FROM = new InetSocketAddress("127.0.0.1", 1000);
  private static final DecodeResult BAD = new DecodeResult.FrameError("test");

  @Test
  void at_most_max_queued_datagrams_wait_and_the_rest_are_counted() {
    Loop loop = new Loop();
    CountingCounter shed = new CountingCounter();
    List<HandOff.Item> got = new ArrayList<>();
    HandOff h = new HandOff("udp:test", got::add, loop, 100, shed, System::nanoTime);
    for (int i = 0; i < 130; i++) {
      h.add(FROM, BAD, i, false);
    }
    h.flush();
    assertThat(h.queued()).isEqualTo(100);
    assertThat(shed.count()).isEqualTo(30.0);
    assertThat(loop.executed).hasSize(1);
    while (!loop.executed.isEmpty() || !loop.scheduled.isEmpty()) {
      loop.next().run();
    }
    assertThat(got).hasSize(100);
    assertThat(got.get(99).len()).as("in arrival order").isEqualTo(99);
    assertThat(h.queued()).isZero();
  }

  @Test
  void the_dispatchers_loop_takes_one_slice_then_polls_its_sockets_before_the_next() {
    Loop loop = new Loop();
    AtomicLong clock = new AtomicLong();
    List<HandOff.Item> got = new ArrayList<>();
    // every look at the clock is a slice later: each slice ends at its first check, after 8 datagrams
    HandOff h = new HandOff("udp:test", got::add, loop, 1000, new CountingCounter(),
        () -> clock.getAndAdd(HandOff.SLICE_NANOS + 1));
    for (int i = 0; i < 20; i++) {
      h.add(FROM, BAD, i, false);
    }
    h.flush();
    h.flush();
    assertThat(loop.executed).as("one slice asked for, however often the listener flushes").hasSize(1);
    loop.next().run();
    assertThat(got).hasSize(8);
    assertThat(loop.executed).isEmpty();
    assertThat(loop.scheduled).as("the rest waits for the loop's next turn, after its sockets").hasSize(1);
    h.flush();
    assertThat(loop.executed).as("a slice is already on its way").isEmpty();
    loop.next().run();
    loop.next().run();
    assertThat(got).hasSize(20);
    assertThat(loop.scheduled).isEmpty();
    h.add(FROM, BAD, 20, false);
    h.flush();
    assertThat(loop.executed).as("drained: the next flush asks again").hasSize(1);
  }
}
