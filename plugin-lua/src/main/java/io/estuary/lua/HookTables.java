package io.estuary.lua;

import io.estuary.api.ClientInfo;
import io.estuary.api.Message;
import io.estuary.api.Payload;
import io.estuary.api.Subscription;
import io.estuary.api.hooks.ClientEvent;
import io.estuary.api.hooks.DeliverModifiers;
import io.estuary.api.hooks.DeliverRequest;
import io.estuary.api.hooks.PublishModifiers;
import io.estuary.api.hooks.PublishRequest;
import io.estuary.api.hooks.RegisterRequest;
import io.estuary.api.hooks.SubscribeModifiers;
import io.estuary.api.hooks.SubscribeRequest;
import io.estuary.api.hooks.Verdict;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;

/**
 * The argument tables with vmq_diversity's field names (plus {@code protocol}, {@code listener}, and
 * {@code peer_addr}/{@code peer_port} as the webhooks name them next to vmq_diversity's {@code addr}/{@code port},
 * and auth_on_register's {@code identity}: the name a TLS/DTLS handshake proved, absent on plain transports),
 * and the return values turned into verdicts: {@code true} → ok, {@code false} → error
 * ({@code not_authorized}), a table → ok with modifiers, {@code "next"} or nothing → next, another string →
 * error with that reason ({@code "ok"} → ok). Pure functions of their arguments; any thread.
 */
final class HookTables {
  private HookTables() {
  }

  private static LuaTable client(ClientInfo c) {
    LuaTable t = new LuaTable();
    t.set("client_id", c.clientId());
    t.set("mountpoint", c.mountpoint());
    if (c.username() != null) {
      t.set("username", c.username());
    }
    t.set("protocol", c.protocol());
    t.set("listener", c.listener());
    return t;
  }

  private static void peer(LuaTable t, InetSocketAddress peer) {
    if (peer != null) {
      String addr = peer.getAddress() != null ? peer.getAddress().getHostAddress() : peer.getHostString();
      t.set("addr", addr);
      t.set("peer_addr", addr);
      t.set("port", peer.getPort());
      t.set("peer_port", peer.getPort());
    }
  }

  static LuaTable register(RegisterRequest r, boolean cleanSession) {
    LuaTable t = client(r.client());
    peer(t, r.client().peer());
    if (r.password() != null) {
      t.set("password", LuaValue.valueOf(r.password()));
    }
    if (r.identity() != null) { // an Estuary addition: what the TLS/DTLS handshake proved (VerneMQ has no DTLS)
      t.set("identity", r.identity());
    }
    t.set("clean_session", LuaValue.valueOf(cleanSession));
    return t;
  }

  static LuaTable publish(ClientInfo c, Message m) {
    LuaTable t = client(c);
    t.set("topic", m.topic());
    t.set("payload", LuaValue.valueOf(m.payload().toByteArray()));
    t.set("qos", m.qos());
    t.set("retain", LuaValue.valueOf(m.retain()));
    return t;
  }

  static LuaTable publish(PublishRequest r) {
    return publish(r.client(), r.message());
  }

  static LuaTable subscribe(SubscribeRequest r) {
    LuaTable t = client(r.client());
    LuaTable topics = new LuaTable();
    int i = 1;
    for (Subscription s : r.subscriptions()) {
      topics.set(i++, LuaValue.listOf(new LuaValue[] {LuaValue.valueOf(s.filter().toString()), LuaValue.valueOf(s.qos())}));
    }
    t.set("topics", topics);
    return t;
  }

  static LuaTable deliver(DeliverRequest r) {
    return publish(r.subscriber(), r.message());
  }

  static LuaTable event(ClientEvent e) {
    LuaTable t = e.client() != null ? client(e.client()) : new LuaTable();
    t.set("client_id", e.clientId());
    if (e.client() == null) {
      t.set("mountpoint", "");
    }
    if (e instanceof ClientEvent.Registered r) {
      peer(t, r.client().peer());
    } else if (e instanceof ClientEvent.Published p) {
      LuaTable m = publish(p.client(), p.message());
      for (LuaValue k : m.keys()) {
        t.set(k, m.get(k));
      }
    } else if (e instanceof ClientEvent.Subscribed s) {
      LuaTable topics = new LuaTable();
      int i = 1;
      for (SubscribeModifiers.Topic g : s.granted()) {
        topics.set(i++, LuaValue.listOf(new LuaValue[] {LuaValue.valueOf(g.filter()), LuaValue.valueOf(g.qos())}));
      }
      t.set("topics", topics);
    } else if (e instanceof ClientEvent.Unsubscribed u) {
      LuaTable topics = new LuaTable();
      int i = 1;
      for (String f : u.filters()) {
        topics.set(i++, LuaValue.valueOf(f));
      }
      t.set("topics", topics);
    } else if (e instanceof ClientEvent.OfflineMessage o) {
      t.set("topic", o.message().topic());
      t.set("payload", LuaValue.valueOf(o.message().payload().toByteArray()));
      t.set("qos", o.message().qos());
      t.set("retain", LuaValue.valueOf(o.message().retain()));
    }
    return t;
  }

  /** true/false/"next"/a reason; for a table, {@code mods} decides (null modifiers = plain ok). */
  static <M> Verdict<M> verdict(LuaValue v, java.util.function.Function<LuaTable, M> mods) {
    if (v.isnil()) {
      return Verdict.next();
    }
    if (v.isboolean()) {
      return v.toboolean() ? Verdict.ok() : Verdict.error("not_authorized");
    }
    if (v.istable()) {
      return Verdict.ok(mods.apply((LuaTable) v));
    }
    if (v.type() == LuaValue.TSTRING) {
      String s = v.tojstring();
      return switch (s) {
        case "next" -> Verdict.next();
        case "ok" -> Verdict.ok();
        case "error", "" -> Verdict.error("not_authorized");
        default -> Verdict.error(s);
      };
    }
    throw new org.luaj.vm2.LuaError("a hook returns true, false, \"next\" or a table, not a " + v.typename());
  }

  static PublishModifiers publishModifiers(LuaTable t) {
    LuaValue topic = t.get("topic");
    LuaValue payload = t.get("payload");
    LuaValue qos = t.get("qos");
    LuaValue retain = t.get("retain");
    LuaValue mp = t.get("mountpoint");
    if (topic.isnil() && payload.isnil() && qos.isnil() && retain.isnil() && mp.isnil()) {
      return null;
    }
    return new PublishModifiers(topic.isnil() ? null : topic.checkjstring(),
        payload.isnil() ? null : Payload.wrapOwned(bytes(payload)),
        qos.isnil() ? null : qos.checkint(), retain.isnil() ? null : retain.toboolean(),
        mp.isnil() ? null : mp.checkjstring());
  }

  /** auth_on_register's {@code {mountpoint = ..., client_id = ...}} (VerneMQ's subscriber id); others ignored. */
  static io.estuary.api.hooks.RegisterModifiers registerModifiers(LuaTable t) {
    LuaValue mp = t.get("mountpoint");
    LuaValue id = t.get("client_id");
    if (mp.isnil() && (id.isnil() || id.checkjstring().isEmpty())) {
      return null;
    }
    return new io.estuary.api.hooks.RegisterModifiers(mp.isnil() ? null : mp.checkjstring(),
        id.isnil() || id.checkjstring().isEmpty() ? null : id.checkjstring());
  }

  static DeliverModifiers deliverModifiers(LuaTable t) {
    LuaValue topic = t.get("topic");
    LuaValue payload = t.get("payload");
    if (topic.isnil() && payload.isnil()) {
      return null;
    }
    return new DeliverModifiers(topic.isnil() ? null : topic.checkjstring(),
        payload.isnil() ? null : Payload.wrapOwned(bytes(payload)));
  }

  /** VerneMQ's {@code {{topic, qos}, ...}} (also {@code {topics = {...}}}); an empty table is a plain ok. */
  static SubscribeModifiers subscribeModifiers(LuaTable t) {
    LuaValue list = t.get("topics").istable() ? t.get("topics") : t;
    int n = list.length();
    if (n == 0) {
      return null;
    }
    List<SubscribeModifiers.Topic> out = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      LuaValue e = list.get(i);
      out.add(new SubscribeModifiers.Topic(e.get(1).checkjstring(), e.get(2).checkint()));
    }
    return new SubscribeModifiers(out);
  }

  static byte[] bytes(LuaValue v) {
    org.luaj.vm2.LuaString s = v.checkstring();
    byte[] b = new byte[s.rawlen()];
    s.copyInto(0, b, 0, b.length);
    return b;
  }
}
