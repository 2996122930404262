package io.estuary.core.topic;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.api.Message;
import io.estuary.api.Payload;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The retained index's bookkeeping under concurrent writers; that it matches as the scan did is the properties test's. */
class RetainedIndexTest {

  private static Message retained(String topic) {
    return Message.of(topic, Payload.utf8("v"), 0, true);
  }

  @Test
  void replacing_keeps_the_count_and_removing_prunes_the_branch() {
    RetainedIndex index = new RetainedIndex();
    assertThat(index.put(retained("a/b/c"))).isNull();
    Message newer = retained("a/b/c");
    assertThat(index.put(newer)).isNotNull();
    assertThat(index.size()).isEqualTo(1);
    assertThat(index.get("a/b/c")).isSameAs(newer);
    assertThat(index.remove("a/b/c", retained("a/b/c"))).as("only the expected message is removed").isNull();
    assertThat(index.remove("a/b")).isNull();
    assertThat(index.remove("a/b/c")).isSameAs(newer);
    assertThat(index.size()).isZero();
    List<Message> all = new ArrayList<>();
    index.match("#", all::add);
    assertThat(all).isEmpty();
  }

  @Test
  @Timeout(30)
  void concurrent_writers_on_shared_branches_lose_no_message_while_readers_walk() throws Exception {
    RetainedIndex index = new RetainedIndex();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < 3; w++) {
        int writer = w;
        done.add(pool.submit(() -> {
          for (int round = 0; round < 200; round++) {
            for (int i = 0; i < 20; i++) {
              index.put(retained("s/" + i + "/w" + writer));
            }
            for (int i = 0; i < 20; i += 2) {
              index.remove("s/" + i + "/w" + writer);
            }
          }
        }));
      }
      done.add(pool.submit(() -> {
        for (int round = 0; round < 2000; round++) {
          index.match("s/+/#", m -> { });
        }
      }));
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    Set<String> found = new HashSet<>();
    index.match("s/#", m -> found.add(m.topic()));
    Set<String> expected = new HashSet<>();
    for (int w = 0; w < 3; w++) {
      for (int i = 1; i < 20; i += 2) {
        expected.add("s/" + i + "/w" + w);
      }
    }
    assertThat(found).isEqualTo(expected);
    assertThat(index.size()).isEqualTo(expected.size());
  }
}
