package io.estuary.mqttsn.channel;

import io.estuary.api.ClientInfo;
import io.estuary.api.GatewayContext;
import io.estuary.api.KeyValueSpace;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The places of one plain-UDP listener's unproven persistent sessions kept offline (issue #13, {@code max_unproven}):
 * a {@code clean_session = false} session that a CONNECT here created for a client that never proved its address
 * ({@link EchoProof}), and that a plain DISCONNECT or the gateway's shutdown keeps because it holds a subscription
 * or a topic id, needs one of {@code max_unproven} places for its session expiry ({@link #keep}).
 *
 * <p>A place stands for its session, so it is freed as soon as that session is gone or in other hands: the core's
 * {@link GatewayContext#watchSession session watch} says it ended (deleted through the management API, expired,
 * discarded, or resumed as a clean session that then ended) or that a client other than a plain-UDP MQTT-SN one
 * attached to it (an MQTT client, a DTLS or another adapter's client took it over), or a client of this listener
 * with its client id proved its address ({@link #proven}). A plain-UDP MQTT-SN client that attaches keeps the place
 * (counted as before: a resumed session renews its place): it may be the spoofer resuming its own session to make
 * room.
 *
 * <p>The places are stored (key-value space {@value MqttSnDispatcher#PLACES}, keys {@code <listener>|<client id>},
 * values the epoch millis the place runs out) and read back at start ({@link #restore}): the sessions they count
 * survive a restart, so they must too. Freed places are counted in {@code mqttsn.unproven_offline.freed{listener,by}}.
 *
 * <p>Owned by the listener's executor (the dispatcher's and its channels' thread, where the watches report too);
 * {@link #size()} is a mirror any thread reads.
 */
final class OfflinePlaces implements EchoProof.KeptOffline {
  private static final Logger log = LoggerFactory.getLogger(OfflinePlaces.class);
  private static final Logger drops = LoggerFactory.getLogger("io.estuary.mqttsn.drops");

  private final GatewayContext ctx;
  private final String listener;
  private final Executor executor;
  private final KeyValueSpace store;
  private final int max;
  private final long expiryMillis;
  /** By client id; insertion order is expiry order (one session expiry for the listener). */
  private final LinkedHashMap<String, Place> places = new LinkedHashMap<>();
  private volatile int mirror;

  /** One place: until when it holds, and the watch on the session it stands for. */
  private static final class Place {
    long until;
    Runnable unwatch = () -> { };
  }

  OfflinePlaces(GatewayContext ctx, String listener, Executor executor, KeyValueSpace store, int max,
      Duration sessionExpiry) {
    this.ctx = ctx;
    this.listener = listener;
    this.executor = executor;
    this.store = store;
    this.max = max;
    this.expiryMillis = sessionExpiry.toMillis();
  }

  /**
   * Whether {@code clientId}'s unproven persistent session may stay offline after its plain DISCONNECT (a subscriber's:
   * see {@link EchoProof#discards}). A blind spoofer can do CONNECT + SUBSCRIBE + DISCONNECT; a real subscriber does
   * the same and must keep its subscriptions (MQTT-SN's CONNACK has no session-present flag to tell it they went).
   * So such sessions get a place for their session expiry: a created session without a free place is discarded
   * instead ({@code max_unproven}); a resumed one renews its place if it has one and is not counted otherwise.
   */
  @Override
  public boolean keep(String clientId, boolean created) {
    long now = ctx.clock().millis();
    purge(now);
    Place had = places.remove(clientId);
    boolean keep = had != null || !created || places.size() < max;
    if (had != null || created && keep) {
      Place p = had != null ? had : watched(clientId, new Place());
      p.until = now + expiryMillis;
      places.put(clientId, p);
      stored(store.put(key(clientId), Long.toString(p.until).getBytes(StandardCharsets.UTF_8)));
    }
    mirror = places.size();
    return keep;
  }

  /** A client of this listener with this client id echoed a value of ours: its session needs no place. */
  @Override
  public void proven(String clientId) {
    free(clientId, "proven");
  }

  /** Places whose session expiry passed (the oldest first) are freed. */
  void purge(long now) {
    if (places.isEmpty()) {
      return;
    }
    for (Iterator<Map.Entry<String, Place>> it = places.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Place> e = it.next();
      if (e.getValue().until > now) {
        break;
      }
      it.remove();
      e.getValue().unwatch.run();
      stored(store.delete(key(e.getKey())));
    }
    mirror = places.size();
  }

  /**
   * Reads back the places of the previous run (their sessions were kept with them), oldest expiry first; those that
   * ran out are deleted, the others watch their sessions again (one deleted or taken over meanwhile frees its place
   * at once). Completes on the executor once they count.
   */
  CompletionStage<Integer> restore() {
    String prefix = listener + "|";
    return store.scan(prefix).thenApplyAsync(stored -> {
      long now = ctx.clock().millis();
      List<Map.Entry<String, Long>> live = new ArrayList<>();
      stored.forEach((key, value) -> {
        long until;
        try {
          until = Long.parseLong(new String(value, StandardCharsets.UTF_8));
        } catch (NumberFormatException bad) {
          until = Long.MIN_VALUE;
        }
        if (until > now) {
          live.add(Map.entry(key.substring(prefix.length()), until));
        } else {
          stored(store.delete(key));
        }
      });
      live.sort(Map.Entry.comparingByValue());
      for (Map.Entry<String, Long> e : live) {
        if (!places.containsKey(e.getKey())) {
          Place p = watched(e.getKey(), new Place());
          p.until = e.getValue();
          places.put(e.getKey(), p);
        }
      }
      mirror = places.size();
      return live.size();
    }, executor);
  }

  /** Places held (a snapshot, any thread). */
  int size() {
    return mirror;
  }

  private Place watched(String clientId, Place p) {
    p.unwatch = ctx.watchSession(clientId, executor, change -> changed(clientId, p, change));
    return p;
  }

  /** The core reports a change of the session {@code p} stands for (on the executor). */
  private void changed(String clientId, Place p, Optional<ClientInfo> change) {
    if (places.get(clientId) != p) {
      return; // freed (or run out) meanwhile
    }
    if (change.isPresent() && mayBeUnproven(change.get())) {
      return; // maybe the spoofer resuming its own session: the place stays, its proof frees it
    }
    free(clientId, change.isEmpty() ? "session_ended" : "taken_over");
  }

  /** Whether {@code who} is a plain-UDP MQTT-SN client: one that need not have proved anything yet. */
  private static boolean mayBeUnproven(ClientInfo who) {
    return MqttSnChannel.PROTOCOL.equals(who.protocol()) && who.listener().startsWith("udp:");
  }

  private void free(String clientId, String by) {
    Place p = places.remove(clientId);
    if (p == null) {
      return;
    }
    p.unwatch.run();
    stored(store.delete(key(clientId)));
    mirror = places.size();
    ctx.metrics().counter("unproven_offline.freed", "listener", listener, "by", by).increment();
    log.debug("mqttsn {}: the kept-offline place of {} is free ({})", listener, clientId, by);
  }

  private String key(String clientId) {
    return listener + "|" + clientId;
  }

  private static void stored(CompletionStage<?> write) {
    write.whenComplete((v, e) -> {
      if (e != null) { // the store counts and WARNs refusals
        drops.debug("mqttsn kept-offline place not stored: {}", e.toString());
      }
    });
  }
}
