package io.estuary.bench.retained;

import io.estuary.api.Message;
import io.estuary.api.Payload;
import io.estuary.core.topic.RetainedIndex;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Heap held by 1,000,000 retained messages ({@code site/<s>/dev/<d>/temp}, one shared 4-byte payload, so the
 * figures are the structures' own cost plus topic strings and Message records): the map the broker kept
 * before issue #13 against the retained index, measured one after the other in one JVM (used heap after GC,
 * minus the baseline). Run: {@code bench/retained-bench.sh --heap}.
 */
public final class RetainedHeap {
  private RetainedHeap() {}

  public static void main(String[] args) {
    int sites = RetainedSubscribeBench.SITES;
    int devices = RetainedSubscribeBench.DEVICES;
    Payload payload = Payload.utf8("21.5");
    for (String impl : new String[] {"map", "index", "map", "index"}) {
      long base = usedAfterGc();
      ConcurrentHashMap<String, Message> map = impl.equals("map") ? new ConcurrentHashMap<>() : null;
      RetainedIndex index = impl.equals("index") ? new RetainedIndex() : null;
      for (int s = 0; s < sites; s++) {
        for (int d = 0; d < devices; d++) {
          Message m = Message.of("site/" + s + "/dev/" + d + "/temp", payload, 1, true);
          if (map != null) {
            map.put(m.topic(), m);
          } else {
            index.put(m);
          }
        }
      }
      long used = usedAfterGc() - base;
      int size = map != null ? map.size() : index.size();
      System.out.printf("RESULT impl=%s retained=%d heap_mb=%.1f bytes_per_message=%d%n", impl, size,
          used / 1048576.0, used / size);
      map = null;
      index = null;
    }
  }

  private static long usedAfterGc() {
    Runtime rt = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return rt.totalMemory() - rt.freeMemory();
  }
}
