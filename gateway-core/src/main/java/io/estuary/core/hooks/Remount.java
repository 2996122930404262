package io.estuary.core.hooks;

import io.estuary.api.Delivery;
import io.estuary.api.Message;
import io.estuary.api.Subscription;
import io.estuary.api.TopicFilter;
import io.estuary.api.topic.Mountpoint;
import io.estuary.api.topic.Topics;
import java.util.ArrayList;
import java.util.List;

/**
 * An auth_on_register mountpoint modifier at work: the adapter mounts a client's topics under its listener's
 * mountpoint ({@code from}); the broker must see them under the plugin's ({@code to}). In: take {@code from}
 * off, put {@code to} on; out (deliveries): the reverse, so the adapter's own unmount gives the device its
 * topic names back. Immutable.
 */
record Remount(Mountpoint from, Mountpoint to) {

  /** The remount from {@code listenerMountpoint} to {@code pluginMountpoint}, or null when they are the same. */
  static Remount of(String listenerMountpoint, String pluginMountpoint) {
    if (pluginMountpoint == null || pluginMountpoint.equals(listenerMountpoint)) {
      return null;
    }
    return new Remount(Mountpoint.of(listenerMountpoint), Mountpoint.of(pluginMountpoint));
  }

  String topicIn(String topic) {
    return to.mountTopic(from.unmount(topic));
  }

  Message in(Message m) {
    return m == null ? null : m.withTopic(topicIn(m.topic()));
  }

  TopicFilter in(TopicFilter f) {
    String v = f.value();
    Topics.Parsed p = Topics.parse(v);
    if (p != null && p.shared()) {
      return new TopicFilter(new Topics.Parsed(p.group(), to.mountTopic(from.unmount(p.filter()))).raw());
    }
    return new TopicFilter(topicIn(v));
  }

  List<Subscription> in(List<Subscription> subs) {
    List<Subscription> out = new ArrayList<>(subs.size());
    for (Subscription s : subs) {
      out.add(new Subscription(in(s.filter()), s.qos(), s.noLocal(), s.retainAsPublished(), s.retainHandling(),
          s.subscriptionId()));
    }
    return out;
  }

  List<TopicFilter> filtersIn(List<TopicFilter> filters) {
    List<TopicFilter> out = new ArrayList<>(filters.size());
    for (TopicFilter f : filters) {
      out.add(in(f));
    }
    return out;
  }

  Delivery out(Delivery d) {
    Message m = d.message();
    String t = from.mountTopic(to.unmount(m.topic()));
    return t.equals(m.topic()) ? d
        : new Delivery(d.id(), m.withTopic(t), d.duplicate(), d.releasePending(), d.subscriptionIds());
  }
}
