package io.estuary.lwm2m.registration;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.estuary.api.GatewayContext;
import io.estuary.api.PacketTrace;
import io.estuary.api.Metrics;
import io.estuary.api.concurrent.SerialExecutor;
import io.estuary.lwm2m.Lwm2mConfig;
import io.estuary.lwm2m.mapping.Command;
import io.estuary.lwm2m.mapping.CommandType;
import io.estuary.lwm2m.persistence.CommandJournal;
import io.estuary.lwm2m.persistence.ObservationJournal;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.eclipse.leshan.core.link.Link;
import org.eclipse.leshan.core.node.LwM2mNode;
import org.eclipse.leshan.core.node.LwM2mPath;
import org.eclipse.leshan.core.node.TimestampedLwM2mNodes;
import org.eclipse.leshan.core.observation.CompositeObservation;
import org.eclipse.leshan.core.observation.Observation;
import org.eclipse.leshan.core.observation.SingleObservation;
import org.eclipse.leshan.core.request.SendRequest;
import org.eclipse.leshan.core.response.ObserveCompositeResponse;
import org.eclipse.leshan.core.response.ObserveResponse;
import org.eclipse.leshan.server.observation.ObservationListener;
import org.eclipse.leshan.server.queue.PresenceListener;
import org.eclipse.leshan.server.registration.Registration;
import org.eclipse.leshan.server.registration.RegistrationListener;
import org.eclipse.leshan.server.registration.RegistrationUpdate;
import org.eclipse.leshan.server.send.SendListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registered endpoints by name. Leshan calls the listener methods on its own threads; each call is
 * handed to the endpoint's serial executor.
 */
public final class Endpoints implements RegistrationListener, PresenceListener, ObservationListener, SendListener {
  private static final Logger LOG = LoggerFactory.getLogger(Endpoints.class);
  /** EMQX skips these objects when auto-observing (security, server, access control, ...). */
  private static final Set<Integer> NOT_AUTO_OBSERVED = Set.of(0, 1, 2, 4, 5, 6, 7, 9, 15);

  private final Map<String, Endpoint> byName = new ConcurrentHashMap<>();
  private final Lwm2mConfig config;
  private final GatewayContext ctx;
  private final Downlink downlink;
  private final Executor pool;
  private final Function<Registration, String> listenerNames;
  private final Metrics.Counter drops;
  private final CommandJournal journal;
  private final ObservationJournal observed;

  public Endpoints(Lwm2mConfig config, GatewayContext ctx, Downlink downlink, Executor pool,
      Function<Registration, String> listenerNames, CommandJournal journal, ObservationJournal observed) {
    this.journal = journal;
    this.observed = observed;
    this.config = config;
    this.ctx = ctx;
    this.downlink = new TracedDownlink(downlink, ctx);
    this.pool = pool;
    this.listenerNames = listenerNames;
    this.drops = ctx.metrics().counter("drops");
    ctx.metrics().gauge("endpoints", byName::size);
  }

  public int size() {
    return byName.size();
  }

  String listenerName(Registration reg) {
    return listenerNames.apply(reg);
  }

  void removed(Endpoint e) {
    byName.remove(e.name(), e);
  }

  void dropped() {
    drops.increment();
  }

  private Endpoint endpoint(String name) {
    return byName.computeIfAbsent(name, n -> new Endpoint(n, config, ctx, downlink, new SerialExecutor(pool), this, journal,
        observed));
  }

  /** True once {@code name}'s session is open and subscribed to its command topic. */
  public boolean ready(String name) {
    Endpoint e = byName.get(name);
    return e != null && e.ready();
  }

  /**
   * Registrations read back from the store at start: each endpoint's session reopens (no register event),
   * its journaled commands wait again and its observations are re-established. Journaled commands and
   * observations of endpoints not registered any more are deleted.
   */
  public void restore(Collection<Registration> regs, Map<String, List<CommandJournal.Entry>> stored,
      Map<String, List<ObservationJournal.Entry>> observations) {
    Map<String, List<CommandJournal.Entry>> left = new java.util.HashMap<>(stored);
    Map<String, List<ObservationJournal.Entry>> leftObs = new java.util.HashMap<>(observations);
    for (Registration reg : regs) {
      List<CommandJournal.Entry> mine = Objects.requireNonNullElse(left.remove(reg.getEndpoint()), List.of());
      List<ObservationJournal.Entry> obs = Objects.requireNonNullElse(leftObs.remove(reg.getEndpoint()), List.of());
      Endpoint e = endpoint(reg.getEndpoint());
      e.executor().execute(() -> e.restored(reg, mine, obs));
    }
    left.values().forEach(journal::removeAll);
    leftObs.values().forEach(l -> l.forEach(o -> observed.remove(o.key())));
  }

  /** The gateway stops: every session ends; registrations and journaled commands stay stored. */
  public void shutdown() {
    java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(byName.size());
    for (Endpoint e : byName.values()) {
      e.executor().execute(() -> {
        e.shutdown();
        done.countDown();
      });
    }
    try {
      done.await(2, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
    }
  }

  private void onEndpoint(String name, java.util.function.Consumer<Endpoint> task) {
    Endpoint e = byName.get(name);
    if (e != null) {
      e.executor().execute(() -> task.accept(e));
    }
  }

  // ---------------------------------------------------------------- RegistrationListener

  @Override
  public void registered(Registration reg, Registration previousReg, Collection<Observation> previousObservations) {
    LOG.debug("LwM2M {} registered from {} (lifetime {}s)", reg.getEndpoint(), reg.getSocketAddress(), reg.getLifeTimeInSec());
    PacketTrace t = ctx.trace(reg.getEndpoint());
    if (t != null) {
      t.in(Lwm2mTrace.registration("REGISTER", reg));
      t.out("REGISTER -> 2.01 CREATED location=/rd/" + reg.getId());
    }
    Endpoint e = endpoint(reg.getEndpoint());
    e.executor().execute(() -> e.registered(reg));
  }

  @Override
  public void updated(RegistrationUpdate update, Registration updatedReg, Registration previousReg) {
    boolean objectList = update.getObjectLinks() != null;
    PacketTrace t = ctx.trace(updatedReg.getEndpoint());
    if (t != null) {
      t.in("UPDATE /rd/" + update.getRegistrationId() + (update.getLifeTimeInSec() == null ? "" : " lifetime="
          + update.getLifeTimeInSec()) + (update.getBindingMode() == null ? "" : " binding="
          + Lwm2mTrace.binding(updatedReg)) + (objectList ? " objects=" + Lwm2mTrace.objects(updatedReg) : ""));
      t.out("UPDATE -> 2.04 CHANGED");
    }
    onEndpoint(updatedReg.getEndpoint(), e -> e.updated(updatedReg, objectList));
  }

  @Override
  public void unregistered(Registration reg, Collection<Observation> observations, boolean expired, Registration newReg) {
    if (newReg != null) {
      return; // replaced by a new registration of the same endpoint: the session stays
    }
    LOG.debug("LwM2M {} {}", reg.getEndpoint(), expired ? "expired" : "deregistered");
    PacketTrace t = expired ? null : ctx.trace(reg.getEndpoint());
    if (t != null) {
      t.in("DEREGISTER /rd/" + reg.getId());
      t.out("DEREGISTER -> 2.02 DELETED");
    }
    onEndpoint(reg.getEndpoint(), Endpoint::unregistered);
  }

  // ---------------------------------------------------------------- PresenceListener

  @Override
  public void onAwake(Registration reg) {
    onEndpoint(reg.getEndpoint(), e -> e.awake(reg));
  }

  @Override
  public void onSleeping(Registration reg) {
    // commands queue up on their own while the presence service reports the device asleep
  }

  // ---------------------------------------------------------------- ObservationListener

  @Override
  public void newObservation(Observation observation, Registration reg) {}

  @Override
  public void cancelled(Observation observation) {}

  @Override
  public void onResponse(SingleObservation observation, Registration reg, ObserveResponse response) {
    LwM2mPath path = observation.getPath();
    PacketTrace t = ctx.trace(reg.getEndpoint());
    if (t != null) {
      t.in(Lwm2mTrace.response("NOTIFY " + path, response));
    }
    // a SenML notification may carry timestamped values only: the newest is the content
    LwM2mNode content = response.getContent() != null || response.getTimestampedLwM2mNode() == null
        ? response.getContent() : response.getTimestampedLwM2mNode().getNode();
    onEndpoint(reg.getEndpoint(), e -> e.notified(path.toString(), path, content));
  }

  @Override
  public void onResponse(CompositeObservation observation, Registration reg, ObserveCompositeResponse response) {
    List<String> paths = observation.getPaths().stream().map(LwM2mPath::toString).toList();
    PacketTrace t = ctx.trace(reg.getEndpoint());
    if (t != null) {
      t.in(Lwm2mTrace.response("NOTIFY-COMPOSITE " + paths, response));
    }
    // timestamped SenML values only: Leshan's merged view (the newest value per path) is the content
    Map<LwM2mPath, LwM2mNode> content = response.getContent() != null || response.getTimestampedLwM2mNodes() == null
        ? response.getContent() : response.getTimestampedLwM2mNodes().getMostRecentNodes();
    onEndpoint(reg.getEndpoint(), e -> e.notifiedComposite(paths, content));
  }

  @Override
  public void onError(Observation observation, Registration reg, Exception error) {
    dropped();
    LoggerFactory.getLogger("io.estuary.lwm2m.drops").debug("LwM2M {}: bad notification: {}",
        reg == null ? "?" : reg.getEndpoint(), error.toString());
  }

  // ---------------------------------------------------------------- SendListener

  @Override
  public void dataReceived(Registration reg, TimestampedLwM2mNodes data, SendRequest request) {
    PacketTrace t = ctx.trace(reg.getEndpoint());
    if (t != null) {
      t.in("SEND format=" + request.getFormat() + " paths=" + data.getMostRecentNodes().keySet());
      t.out("SEND -> 2.04 CHANGED");
    }
    onEndpoint(reg.getEndpoint(), e -> e.sent(data));
  }

  @Override
  public void onError(Registration reg, String errorMessage, Exception error) {
    dropped();
    LoggerFactory.getLogger("io.estuary.lwm2m.drops").debug("LwM2M {}: bad Send: {}",
        reg == null ? "?" : reg.getEndpoint(), errorMessage);
  }

  // ---------------------------------------------------------------- auto observe

  /** EMQX {@code auto_observe}: an observe for each object instance of the register object list. */
  void autoObserve(Endpoint e, Registration reg) {
    for (Link l : Objects.requireNonNullElse(reg.getObjectLinks(), new Link[0])) {
      LwM2mPath p;
      try {
        p = new LwM2mPath(l.getUriReference().substring(
            reg.getRootPath() == null || reg.getRootPath().equals("/") ? 0 : reg.getRootPath().length() - 1));
      } catch (IllegalArgumentException ex) {
        continue;
      }
      if (p.isObjectInstance() && !NOT_AUTO_OBSERVED.contains(p.getObjectId())) {
        ObjectNode env = JsonNodeFactory.instance.objectNode();
        env.put("msgType", "observe");
        env.putObject("data").put("path", p.toString());
        e.command(new Command(env, CommandType.OBSERVE, (ObjectNode) env.get("data"), p.toString()), Long.MAX_VALUE);
      }
    }
  }
}
