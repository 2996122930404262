package io.estuary.lua.modules;

import io.estuary.api.ClientInfo;
import io.estuary.api.Message;
import io.estuary.api.Payload;
import io.estuary.api.Subscription;
import io.estuary.api.hooks.PublishModifiers;
import io.estuary.api.hooks.SubscribeModifiers;
import io.estuary.api.hooks.Verdict;
import io.estuary.lua.LuaModule;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;

/**
 * vmq_diversity's {@code auth_cache}: {@code auth_cache.insert(mountpoint, client_id, username, publish_acls,
 * subscribe_acls)} keeps a client's ACLs (usually at {@code auth_on_register}, from a database row) so its publishes
 * and subscribes are answered without calling the script. An ACL is {@code {pattern = "a/%c/#", max_qos = 1,
 * max_payload_size = 1024, allowed_retain = false, modifiers = {...}}}; {@code %m}, {@code %u} and {@code %c} in the
 * pattern are replaced by the mountpoint, username and client id at insert. As VerneMQ: for a client with an
 * entry, a publish matching an ACL within its limits is ok (with the ACL's modifiers, not checked again), anything
 * else is refused; a client without an entry goes to the scripts. Entries are removed on {@code on_client_gone} and
 * {@code on_client_offline}, and by {@code auth_cache.delete(mountpoint, client_id)}. Bounded by
 * {@code plugins.lua.auth_cache.max_entries} (past it, insert answers false and the scripts decide). Thread-safe.
 */
public final class AuthCacheModule implements LuaModule {
  private record PubAcl(String[] pattern, int maxQos, int maxPayload, boolean retain, PublishModifiers mods) {}

  private record SubAcl(String[] pattern, int maxQos, List<SubscribeModifiers.Topic> mods) {}

  private record Entry(List<PubAcl> pub, List<SubAcl> sub) {}

  private final Map<String, Entry> entries = new ConcurrentHashMap<>();
  private volatile int maxEntries = 1_000_000;
  private volatile Runnable onFirstUse = () -> { };
  private volatile boolean used;

  @Override
  public String name() {
    return "auth_cache";
  }

  @Override
  public void start(Map<String, String> config) {
    maxEntries = Integer.parseInt(config.getOrDefault("auth_cache.max_entries", "1000000").trim());
  }

  /** Called once, on the first insert: the plugin then starts answering publish and subscribe hooks. */
  public void onFirstUse(Runnable r) {
    this.onFirstUse = r;
  }

  /** Whether a script ever inserted an entry. */
  public boolean used() {
    return used;
  }

  public int size() {
    return entries.size();
  }

  private static String key(String mountpoint, String clientId) {
    return mountpoint + '\0' + clientId;
  }

  @Override
  public LuaTable table() {
    LuaTable t = new LuaTable();
    t.set("insert", Fn.of("insert", a -> {
      String mp = a.optjstring(1, "");
      String cid = a.checkjstring(2);
      String user = a.arg(3).isnil() ? "" : a.arg(3).tojstring();
      List<PubAcl> pub = new ArrayList<>();
      List<SubAcl> sub = new ArrayList<>();
      LuaValue p = a.arg(4);
      LuaValue s = a.arg(5);
      for (int i = 1; p.istable() && i <= p.length(); i++) {
        LuaValue acl = p.get(i);
        LuaValue m = acl.get("modifiers");
        pub.add(new PubAcl(levels(subst(acl.get("pattern").checkjstring(), mp, user, cid)), acl.get("max_qos").optint(2),
            acl.get("max_payload_size").optint(0), acl.get("allowed_retain").isnil() || acl.get("allowed_retain").toboolean(),
            m.istable() ? pubMods((LuaTable) m) : null));
      }
      for (int i = 1; s.istable() && i <= s.length(); i++) {
        LuaValue acl = s.get(i);
        LuaValue m = acl.get("modifiers");
        List<SubscribeModifiers.Topic> mods = null;
        if (m.istable()) {
          mods = new ArrayList<>();
          for (int j = 1; j <= m.length(); j++) {
            mods.add(new SubscribeModifiers.Topic(m.get(j).get(1).checkjstring(), m.get(j).get(2).checkint()));
          }
        }
        sub.add(new SubAcl(levels(subst(acl.get("pattern").checkjstring(), mp, user, cid)), acl.get("max_qos").optint(2), mods));
      }
      String k = key(mp, cid);
      if (!entries.containsKey(k) && entries.size() >= maxEntries) {
        return LuaValue.FALSE;
      }
      entries.put(k, new Entry(List.copyOf(pub), List.copyOf(sub)));
      if (!used) {
        used = true;
        onFirstUse.run();
      }
      return LuaValue.TRUE;
    }));
    t.set("delete", Fn.of("delete", a -> {
      entries.remove(key(a.optjstring(1, ""), a.checkjstring(2)));
      return LuaValue.TRUE;
    }));
    return t;
  }

  private static PublishModifiers pubMods(LuaTable m) {
    LuaValue topic = m.get("topic");
    LuaValue payload = m.get("payload");
    LuaValue qos = m.get("qos");
    LuaValue retain = m.get("retain");
    LuaValue mp = m.get("mountpoint");
    return new PublishModifiers(topic.isnil() ? null : topic.checkjstring(),
        payload.isnil() ? null : Payload.wrapOwned(Fn.bytes(payload)), qos.isnil() ? null : qos.checkint(),
        retain.isnil() ? null : retain.toboolean(), mp.isnil() ? null : mp.checkjstring());
  }

  static String subst(String pattern, String mp, String user, String cid) {
    return pattern.replace("%m", mp).replace("%u", user).replace("%c", cid);
  }

  private static String[] levels(String s) {
    return s.split("/", -1);
  }

  /** Whether {@code topic} (a name, or a filter for subscribe: its wildcards match only the same wildcard) matches. */
  static boolean matches(String[] pattern, String topic) {
    String[] t = levels(topic);
    for (int i = 0; i < pattern.length; i++) {
      String p = pattern[i];
      if (p.equals("#")) {
        return i < t.length ? !(i == 0 && t[0].startsWith("$") && !pattern[0].startsWith("$")) : i == t.length;
      }
      if (i >= t.length) {
        return false;
      }
      if (p.equals("+")) {
        if (t[i].equals("#") || (i == 0 && t[0].startsWith("$"))) {
          return false;
        }
      } else if (!p.equals(t[i])) {
        return false;
      }
    }
    return pattern.length == t.length;
  }

  /** The cached answer for a publish, or null when the client has no entry (the scripts decide). */
  public Verdict<PublishModifiers> publish(ClientInfo c, Message m) {
    Entry e = entries.get(key(c.mountpoint(), c.clientId()));
    if (e == null) {
      return null;
    }
    for (PubAcl a : e.pub) {
      if (matches(a.pattern, m.topic())) {
        if (m.qos() > a.maxQos || (a.maxPayload > 0 && m.payload().size() > a.maxPayload) || (m.retain() && !a.retain)) {
          return Verdict.error("not_authorized");
        }
        return a.mods == null ? Verdict.ok() : Verdict.ok(a.mods);
      }
    }
    return Verdict.error("not_authorized");
  }

  /** The cached answer for a subscribe, or null when the client has no entry. */
  public Verdict<SubscribeModifiers> subscribe(ClientInfo c, List<Subscription> subs) {
    Entry e = entries.get(key(c.mountpoint(), c.clientId()));
    if (e == null) {
      return null;
    }
    List<SubscribeModifiers.Topic> out = new ArrayList<>();
    boolean changed = false;
    for (Subscription s : subs) {
      SubAcl hit = null;
      for (SubAcl a : e.sub) {
        if (matches(a.pattern, s.filter().toString())) {
          hit = a;
          break;
        }
      }
      if (hit == null || s.qos() > hit.maxQos) {
        return Verdict.error("not_authorized");
      }
      if (hit.mods != null && hit.mods.size() == 1) {
        out.add(hit.mods.get(0));
        changed = true;
      } else {
        out.add(new SubscribeModifiers.Topic(s.filter().toString(), s.qos()));
      }
    }
    return changed ? Verdict.ok(new SubscribeModifiers(out)) : Verdict.ok();
  }

  /** {@code on_client_gone} / {@code on_client_offline}. */
  public void evict(String mountpoint, String clientId) {
    entries.remove(key(mountpoint == null ? "" : mountpoint, clientId));
  }

  static LuaError bad(String m) {
    return new LuaError("auth_cache: " + m);
  }
}
