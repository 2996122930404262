package io.estuary.core.topic;

import io.estuary.api.Message;
import io.estuary.api.topic.Topics;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The retained messages, indexed by topic level so that a subscribe visits only the branches its filter
 * can match (issue #13: it used to scan every retained message). Matches as {@link Topics#matches} does,
 * {@code $}-topics included (RetainedIndexPropertiesTest holds the two together).
 *
 * <p>Threads: reads ({@link #get}, {@link #match}) are lock-free from any thread (concurrent child maps,
 * volatile messages); writes ({@link #put}, {@link #remove}) come from any publishing thread and are
 * serialised on this object — a walk of the topic's levels — so that pruning an emptied branch can never
 * detach a message another writer is storing. A reader racing a writer sees the message before or after.
 */
public final class RetainedIndex {

  private static final class Node {
    /**
     * The children: null, one {@link Single} (most nodes: a chain down to a leaf), or a concurrent map once
     * there are two or more. Replaced only under the index's lock, read lock-free.
     */
    volatile Object kids;
    volatile Message message;

    @SuppressWarnings("unchecked")
    Node child(String level) {
      Object k = kids;
      if (k instanceof Single s) {
        return s.key.equals(level) ? s.node : null;
      }
      return k == null ? null : ((ConcurrentHashMap<String, Node>) k).get(level);
    }

    @SuppressWarnings("unchecked")
    void forEachChild(java.util.function.BiConsumer<String, Node> action) {
      Object k = kids;
      if (k instanceof Single s) {
        action.accept(s.key, s.node);
      } else if (k != null) {
        ((ConcurrentHashMap<String, Node>) k).forEach(action);
      }
    }
  }

  private record Single(String key, Node node) {}

  /** Level strings shared between branches ("temp", "status", small numbers), bounded; under the lock. */
  private static final int SHARED_LEVELS = 65_536;
  private final java.util.HashMap<String, String> sharedLevels = new java.util.HashMap<>();

  private final Node root = new Node();
  private final AtomicInteger size = new AtomicInteger();
  private final java.util.concurrent.atomic.AtomicLong bytes = new java.util.concurrent.atomic.AtomicLong();

  /** Retained topics held. */
  public int size() {
    return size.get();
  }

  /** What the retained messages weigh: {@link #weight} summed. */
  public long bytes() {
    return bytes.get();
  }

  /** What one retained message counts for in {@link #bytes}: its payload and its topic's characters. */
  public static long weight(Message m) {
    return m.payload().size() + (long) m.topic().length();
  }

  /** The retained message on {@code topic}, or null. */
  public Message get(String topic) {
    Node n = root;
    int start = 0;
    while (n != null) {
      int end = topic.indexOf('/', start);
      n = n.child(end < 0 ? topic.substring(start) : topic.substring(start, end));
      if (end < 0) {
        break;
      }
      start = end + 1;
    }
    return n == null ? null : n.message;
  }

  /** Whether a message is retained on {@code topic}. */
  public boolean contains(String topic) {
    return get(topic) != null;
  }

  /** Stores {@code m} on its topic; returns the message it replaced, or null. */
  public synchronized Message put(Message m) {
    String topic = m.topic();
    Node n = root;
    int start = 0;
    while (true) {
      int end = topic.indexOf('/', start);
      n = childOrNew(n, end < 0 ? topic.substring(start) : topic.substring(start, end));
      if (end < 0) {
        break;
      }
      start = end + 1;
    }
    Message old = n.message;
    n.message = m;
    if (old == null) {
      size.incrementAndGet();
    }
    bytes.addAndGet(weight(m) - (old == null ? 0 : weight(old)));
    return old;
  }

  /** The child of {@code n} for {@code level}, added if missing; under the lock. */
  @SuppressWarnings("unchecked")
  private Node childOrNew(Node n, String level) {
    Node c = n.child(level);
    if (c != null) {
      return c;
    }
    c = new Node();
    level = shared(level);
    Object k = n.kids;
    if (k == null) {
      n.kids = new Single(level, c);
    } else if (k instanceof Single s) {
      ConcurrentHashMap<String, Node> map = new ConcurrentHashMap<>(4);
      map.put(s.key, s.node);
      map.put(level, c);
      n.kids = map; // published complete: a reader sees the single child or both
    } else {
      ((ConcurrentHashMap<String, Node>) k).put(level, c);
    }
    return c;
  }

  private String shared(String level) {
    if (level.length() > 32) {
      return level;
    }
    String s = sharedLevels.get(level);
    if (s != null) {
      return s;
    }
    if (sharedLevels.size() < SHARED_LEVELS) {
      sharedLevels.put(level, level);
    }
    return level;
  }

  /** Drops the child {@code c} of {@code n} at {@code level}; under the lock. */
  @SuppressWarnings("unchecked")
  private static void unlink(Node n, String level, Node c) {
    Object k = n.kids;
    if (k instanceof Single s) {
      if (s.node == c) {
        n.kids = null;
      }
    } else if (k != null) {
      ConcurrentHashMap<String, Node> map = (ConcurrentHashMap<String, Node>) k;
      map.remove(level, c);
      if (map.isEmpty()) {
        n.kids = null;
      }
    }
  }

  /** Removes the message on {@code topic}; returns it, or null if there was none. */
  public synchronized Message remove(String topic) {
    return remove(topic, null);
  }

  /**
   * Removes the message on {@code topic} if it is {@code expected} (any message for null); returns the
   * removed message, or null. Prunes the branch it leaves empty.
   */
  public synchronized Message remove(String topic, Message expected) {
    return remove(root, topic, 0, expected);
  }

  private Message remove(Node node, String topic, int start, Message expected) {
    int end = topic.indexOf('/', start);
    String level = end < 0 ? topic.substring(start) : topic.substring(start, end);
    Node child = node.child(level);
    if (child == null) {
      return null;
    }
    Message removed;
    if (end < 0) {
      removed = child.message;
      if (removed == null || (expected != null && removed != expected)) {
        return null;
      }
      child.message = null;
      size.decrementAndGet();
      bytes.addAndGet(-weight(removed));
    } else {
      removed = remove(child, topic, end + 1, expected);
    }
    if (removed != null && child.message == null && child.kids == null) {
      unlink(node, level, child);
    }
    return removed;
  }

  /** Visits every retained message whose topic {@code filter} (no {@code $share} prefix) matches. */
  public void match(String filter, Consumer<Message> visitor) {
    match(root, filter, 0, true, visitor);
  }

  /**
   * Matches the filter level starting at {@code start} against the children of {@code node}. At the first
   * level, {@code +} and {@code #} skip topics that start with {@code $} (MQTT 5 §4.7.2).
   */
  private void match(Node node, String filter, int start, boolean first, Consumer<Message> v) {
    int end = filter.indexOf('/', start);
    String level = end < 0 ? filter.substring(start) : filter.substring(start, end);
    if (level.equals("#")) {
      // MQTT 5 §4.7.1.2: "#" also matches the parent level ("a/#" matches "a")
      if (!first) {
        visit(node.message, v);
      }
      node.forEachChild((k, c) -> {
        if (!(first && hidden(k))) {
          visitAll(c, v);
        }
      });
      return;
    }
    if (level.equals("+")) {
      node.forEachChild((k, c) -> {
        if (!(first && hidden(k))) {
          descend(c, filter, end, v);
        }
      });
    } else {
      Node c = node.child(level);
      if (c != null) {
        descend(c, filter, end, v);
      }
    }
  }

  private void descend(Node n, String filter, int end, Consumer<Message> v) {
    if (end < 0) {
      visit(n.message, v);
    } else {
      match(n, filter, end + 1, false, v);
    }
  }

  private static boolean hidden(String firstLevel) {
    return Topics.hiddenFromLeadingWildcards(firstLevel);
  }

  private static void visit(Message m, Consumer<Message> v) {
    if (m != null) {
      v.accept(m);
    }
  }

  /** Every message at {@code n} and below (iteratively: topics may be 128+ levels deep). */
  private static void visitAll(Node n, Consumer<Message> v) {
    java.util.ArrayDeque<Node> stack = new java.util.ArrayDeque<>();
    stack.push(n);
    while (!stack.isEmpty()) {
      Node x = stack.pop();
      visit(x.message, v);
      x.forEachChild((k, c) -> stack.push(c));
    }
  }

  /** Visits every retained message ({@code $}-topics included). */
  public void forEach(Consumer<Message> visitor) {
    visitAll(root, visitor);
  }
}
