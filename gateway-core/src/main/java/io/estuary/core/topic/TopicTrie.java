package io.estuary.core.topic;

import io.estuary.api.topic.Topics;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The subscription index: a trie of filter levels, matching as {@link Topics#matches} does (the
 * property test holds the two together). Concurrent: subscribe/unsubscribe from session
 * executors, matching from any publishing thread, no global lock. Empty nodes are pruned lazily on
 * remove (a racing add may keep a node alive, which is harmless).
 *
 * @param <S> what is stored per subscriber (the subscription)
 */
public final class TopicTrie<S> {

  /** Receives matches; called on the matching thread. */
  public interface Visitor<S> {
    void visit(String clientId, S subscription, String shareGroup);
  }

  private static final class Node<S> {
    final ConcurrentHashMap<String, Node<S>> children = new ConcurrentHashMap<>(4);
    final ConcurrentHashMap<String, S> subscribers = new ConcurrentHashMap<>(2);
    final ConcurrentHashMap<String, ConcurrentHashMap<String, S>> shared = new ConcurrentHashMap<>(1);

    boolean isEmpty() {
      return children.isEmpty() && subscribers.isEmpty() && shared.isEmpty();
    }
  }

  private final Node<S> root = new Node<>();
  /** Nodes below the root; written under the trie's lock. */
  private volatile int nodes;

  /** Adds or replaces the subscription of {@code clientId} to {@code filter} (in {@code group} if shared). */
  public void add(String filter, String clientId, String group, S subscription) {
    add(filter, clientId, group, subscription, 0);
  }

  /**
   * Adds or replaces it unless that takes the index over {@code maxNodes} nodes (0 = no cap): whether it was
   * added. Adds and removes are serialized (matching is not): a node emptied by a remove cannot take an add
   * that found it a moment before, and the node count is exact.
   */
  public synchronized boolean add(String filter, String clientId, String group, S subscription, int maxNodes) {
    if (maxNodes > 0 && nodes + newNodes(filter) > maxNodes) {
      return false;
    }
    Node<S> node = root;
    int start = 0;
    while (true) {
      int end = filter.indexOf('/', start);
      String level = end < 0 ? filter.substring(start) : filter.substring(start, end);
      Node<S> child = node.children.get(level);
      if (child == null) {
        child = new Node<>();
        node.children.put(level, child);
        nodes++;
      }
      node = child;
      if (end < 0) {
        break;
      }
      start = end + 1;
    }
    if (group == null) {
      node.subscribers.put(clientId, subscription);
    } else {
      node.shared.computeIfAbsent(group, g -> new ConcurrentHashMap<>()).put(clientId, subscription);
    }
    return true;
  }

  /** Removes it; returns whether it was there. */
  public synchronized boolean remove(String filter, String clientId, String group) {
    return remove(root, filter, 0, clientId, group);
  }

  /** Nodes in the index (the root not counted). */
  public int nodes() {
    return nodes;
  }

  /** How many nodes adding {@code filter} would create. */
  private int newNodes(String filter) {
    Node<S> node = root;
    int start = 0;
    while (true) {
      int end = filter.indexOf('/', start);
      node = node.children.get(end < 0 ? filter.substring(start) : filter.substring(start, end));
      if (node == null) {
        return levels(filter, start);
      }
      if (end < 0) {
        return 0;
      }
      start = end + 1;
    }
  }

  /** Levels of {@code filter} from {@code start} on. */
  private static int levels(String filter, int start) {
    int n = 1;
    for (int i = filter.indexOf('/', start); i >= 0; i = filter.indexOf('/', i + 1)) {
      n++;
    }
    return n;
  }

  private boolean remove(Node<S> node, String filter, int start, String clientId, String group) {
    int end = filter.indexOf('/', start);
    String level = end < 0 ? filter.substring(start) : filter.substring(start, end);
    Node<S> child = node.children.get(level);
    if (child == null) {
      return false;
    }
    boolean removed;
    if (end < 0) {
      if (group == null) {
        removed = child.subscribers.remove(clientId) != null;
      } else {
        ConcurrentHashMap<String, S> members = child.shared.get(group);
        removed = members != null && members.remove(clientId) != null;
        if (members != null && members.isEmpty()) {
          child.shared.remove(group, members);
        }
      }
    } else {
      removed = remove(child, filter, end + 1, clientId, group);
    }
    if (child.isEmpty() && node.children.remove(level, child)) {
      nodes--;
    }
    return removed;
  }

  /** Whether shared group {@code group} on exactly {@code filter} has a member. */
  public boolean hasGroup(String filter, String group) {
    Node<S> node = root;
    int start = 0;
    while (node != null) {
      int end = filter.indexOf('/', start);
      node = node.children.get(end < 0 ? filter.substring(start) : filter.substring(start, end));
      if (end < 0) {
        break;
      }
      start = end + 1;
    }
    ConcurrentHashMap<String, S> members = node == null ? null : node.shared.get(group);
    return members != null && !members.isEmpty();
  }

  /** Visits every subscription whose filter matches {@code topic}. */
  public void match(String topic, Visitor<S> visitor) {
    match(root, topic, 0, visitor, Topics.hiddenFromLeadingWildcards(topic));
  }

  private void match(Node<S> node, String topic, int start, Visitor<S> v, boolean dollarLevel) {
    int end = topic.indexOf('/', start);
    String level = end < 0 ? topic.substring(start) : topic.substring(start, end);
    if (!dollarLevel) {
      Node<S> hash = node.children.get("#");
      if (hash != null) {
        visitAll(hash, v);
      }
      Node<S> plus = node.children.get("+");
      if (plus != null) {
        descend(plus, topic, end, v);
      }
    }
    Node<S> exact = node.children.get(level);
    if (exact != null) {
      descend(exact, topic, end, v);
    }
  }

  private void descend(Node<S> node, String topic, int end, Visitor<S> v) {
    if (end < 0) {
      visitAll(node, v);
      Node<S> hash = node.children.get("#"); // "a/#" also matches "a"
      if (hash != null) {
        visitAll(hash, v);
      }
    } else {
      match(node, topic, end + 1, v, false);
    }
  }

  private void visitAll(Node<S> node, Visitor<S> v) {
    if (!node.subscribers.isEmpty()) {
      node.subscribers.forEach((id, s) -> v.visit(id, s, null));
    }
    if (!node.shared.isEmpty()) {
      node.shared.forEach((g, members) -> members.forEach((id, s) -> v.visit(id, s, g)));
    }
  }
}
