package io.estuary.lwm2m.registration;

import io.estuary.api.BrokerSession;
import io.estuary.api.ClientInfo;
import io.estuary.api.SessionRefusedException;
import io.estuary.cf.PeerIdentity;
import io.estuary.lwm2m.security.DeviceIdentity;
import io.estuary.lwm2m.security.RegistrationAuthenticator;
import io.estuary.api.CloseReason;
import io.estuary.api.Delivery;
import io.estuary.api.DeliverySink;
import io.estuary.api.GatewayContext;
import io.estuary.api.Message;
import io.estuary.api.Payload;
import io.estuary.api.SessionOptions;
import io.estuary.api.Subscription;
import io.estuary.api.concurrent.SerialExecutor;
import io.estuary.api.topic.Mountpoint;
import io.estuary.lwm2m.Lwm2mConfig;
import io.estuary.lwm2m.Translator;
import io.estuary.lwm2m.mapping.BuildResult;
import io.estuary.lwm2m.mapping.ClientProfile;
import io.estuary.lwm2m.mapping.Command;
import io.estuary.lwm2m.mapping.CommandParser;
import io.estuary.lwm2m.mapping.EventJson;
import io.estuary.lwm2m.mapping.ParseResult;
import io.estuary.lwm2m.mapping.RequestBuilder;
import io.estuary.lwm2m.persistence.CommandJournal;
import io.estuary.lwm2m.persistence.ObservationJournal;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.leshan.core.request.DownlinkDeviceManagementRequest;
import org.eclipse.leshan.core.response.LwM2mResponse;
import org.eclipse.leshan.core.node.LwM2mNode;
import org.eclipse.leshan.core.node.LwM2mPath;
import org.eclipse.leshan.core.node.TimestampedLwM2mNodes;
import org.eclipse.leshan.core.observation.CompositeObservation;
import org.eclipse.leshan.core.observation.SingleObservation;
import org.eclipse.leshan.core.request.CancelCompositeObservationRequest;
import org.eclipse.leshan.core.request.CancelObservationRequest;
import org.eclipse.leshan.core.request.ObserveCompositeRequest;
import org.eclipse.leshan.core.request.ObserveRequest;
import org.eclipse.leshan.core.request.exception.ClientSleepingException;
import org.eclipse.leshan.core.request.exception.InvalidResponseException;
import org.eclipse.leshan.core.request.exception.TimeoutException;
import org.eclipse.leshan.server.registration.Registration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One registered device: its broker session (client id = endpoint name), its commands waiting while it
 * sleeps, the reqIDs of its observations. Every method runs on {@link #executor()}.
 */
public final class Endpoint implements DeliverySink {
  private static final Logger LOG = LoggerFactory.getLogger(Endpoint.class);
  private static final Logger DROPS = LoggerFactory.getLogger("io.estuary.lwm2m.drops");

  private final String name;
  private final Lwm2mConfig config;
  private final GatewayContext ctx;
  private final Downlink downlink;
  private final SerialExecutor executor;
  private final Endpoints owner;
  private final Mountpoint mountpoint;
  private final Deque<Waiting> waiting = new ArrayDeque<>();
  /** The command sent and not answered yet: one at a time per device, as RFC 7252's NSTART = 1 and EMQX. */
  private Waiting inFlight;
  private final Observations observations;
  private final List<Message> beforeSession = new ArrayList<>();
  /** Written on the executor, read by {@link #attributes()} from any thread. */
  private volatile Registration registration;
  private BrokerSession session;
  private final CommandJournal journal;
  private boolean opening;
  private boolean closed;
  private volatile boolean ready;

  Endpoint(String name, Lwm2mConfig config, GatewayContext ctx, Downlink downlink, SerialExecutor executor,
      Endpoints owner, CommandJournal journal, ObservationJournal observed) {
    this.name = name;
    this.observations = new Observations(name, observed);
    this.journal = journal;
    this.config = config;
    this.ctx = ctx;
    this.downlink = downlink;
    this.executor = executor;
    this.owner = owner;
    this.mountpoint = Mountpoint.of(config.mountpointFor(name));
  }

  public String name() {
    return name;
  }

  /** True once the broker session is open and subscribed to the command topic. */
  boolean ready() {
    return ready;
  }

  @Override
  public SerialExecutor executor() {
    return executor;
  }

  @Override
  public int credits() {
    return Integer.MAX_VALUE;
  }

  @Override
  public Map<String, Object> attributes() {
    Registration r = registration;
    Map<String, Object> a = new LinkedHashMap<>();
    if (r != null) {
      a.put("lifetime", r.getLifeTimeInSec());
      a.put("lwm2m", r.getLwM2mVersion().toString());
      a.put("queue_mode", r.usesQueueMode());
      a.put("binding", Lwm2mTrace.binding(r));
      a.put("objects", Lwm2mTrace.objects(r));
      String last = Lwm2mTrace.instant(r.getLastUpdate());
      if (last != null) {
        a.put("last_update", last);
      }
    }
    return a;
  }

  // ---------------------------------------------------------------- registration

  void registered(Registration reg) {
    boolean again = registration != null;
    registration = reg;
    if (again) {
      observations.lostByRegistration(); // Leshan dropped the previous registration's observations
    }
    if (session == null && !opening) {
      open(reg, true, List.of());
      return;
    }
    publish(config.translators().register(), EventJson.registration("register", reg));
    resumeObservations();
    flush();
  }

  void updated(Registration reg, boolean objectListChanged) {
    registration = reg;
    if (config.publishUpdateAlways() || objectListChanged) {
      publish(config.translators().update(), EventJson.registration("update", reg));
    }
    resumeObservations();
    flush();
  }

  void awake(Registration reg) {
    registration = reg;
    resumeObservations();
    flush();
  }

  /**
   * A registration read back from the store at start: the session reopens, no register event; its
   * observations are re-established once the device is reachable (at once unless it is in queue mode).
   */
  void restored(Registration reg, List<CommandJournal.Entry> stored, List<ObservationJournal.Entry> observed) {
    registration = reg;
    observations.restore(observed);
    if (session == null && !opening) {
      open(reg, false, stored);
    }
  }

  void unregistered() {
    for (Waiting w : waiting) {
      journal.remove(w.journalKey());
      publish(config.translators().response(), EventJson.failure(w.command(), "4.04", "not_found", "device deregistered"));
    }
    waiting.clear();
    observations.forgetAll();
    closed = true;
    if (session != null) {
      session.close(CloseReason.NORMAL);
    }
    owner.removed(this);
  }

  /** The gateway stops: the session ends, what is journaled stays journaled. */
  void shutdown() {
    closed = true;
    ready = false;
    BrokerSession s = session;
    session = null;
    if (s != null) {
      s.close(CloseReason.SERVER_SHUTDOWN);
    }
  }

  private void open(Registration reg, boolean announce, List<CommandJournal.Entry> stored) {
    opening = true;
    // the identity RegistrationAuthenticator admitted: the same username and DTLS identity own the session
    PeerIdentity proved = DeviceIdentity.of(reg.getClientTransportData());
    ClientInfo client = new ClientInfo(name, RegistrationAuthenticator.username(config.usernameFrom(), name, proved),
        "lwm2m", owner.listenerName(reg), reg.getSocketAddress(), mountpoint.prefix(),
        proved == null ? null : proved.authIdentity());
    ctx.openSession(client, SessionOptions.builder().build(), this).whenComplete((s, err) -> {
      opening = false;
      if (err != null) {
        SessionRefusedException refused = SessionRefusedException.of(err);
        drop(refused != null ? "session refused (" + refused.reason() + "): " + refused.getMessage()
            : "session not opened: " + err);
        closed = true;
        stored.forEach(w -> journal.remove(w.key()));
        downlink.removeRegistration(reg);
        owner.removed(this);
        return;
      }
      if (closed) {
        s.close(CloseReason.NORMAL);
        return;
      }
      session = s;
      Translator cmd = config.translators().command();
      s.subscribe(List.of(Subscription.of(mountpoint.mountFilter(cmd.topic()), cmd.qos()))).whenComplete((outcomes, subErr) -> {
        if (subErr != null || outcomes.isEmpty() || !outcomes.get(0).isGranted()) {
          LOG.debug("LwM2M {}: command topic subscription refused: {}", name, subErr != null ? subErr : outcomes);
        }
        if (announce) {
          publish(config.translators().register(), EventJson.registration("register", registration));
        }
        for (Message m : beforeSession) {
          s.publish(m);
        }
        beforeSession.clear();
        if (announce && config.autoObserve()) {
          owner.autoObserve(this, registration);
        }
        stored.forEach(this::restore);
        ready = true;
        resumeObservations();
        flush();
      });
    });
  }

  // ---------------------------------------------------------------- commands

  @Override
  public void deliver(Delivery d) {
    if (session != null && d.message().qos() > 0) {
      session.acknowledge(d.id());
    }
    long now = ctx.clock().millis();
    Long remaining = d.message().remainingExpirySeconds(now);
    long ttl = remaining != null ? remaining * 1000L : config.commandTtl().toMillis();
    ParseResult parsed = CommandParser.parse(d.message().payload().toByteArray());
    if (parsed instanceof ParseResult.Rejected r) {
      drop("bad command: " + r.reason());
      publish(config.translators().response(), EventJson.rejected(r.envelope(), r.reason()));
      return;
    }
    command(((ParseResult.Parsed) parsed).command(), now + ttl);
  }

  /** A command read back from the journal: it waits again, under the same key. */
  private void restore(CommandJournal.Entry stored) {
    ParseResult parsed = CommandParser.parse(stored.command());
    if (!(parsed instanceof ParseResult.Parsed p)) {
      journal.remove(stored.key());
      return;
    }
    BuildResult built = RequestBuilder.build(p.command(), downlink.model(registration), profile(registration));
    if (built instanceof BuildResult.Built b) {
      enqueue(new Waiting(p.command(), b.request(), stored.deadlineMillis(), stored.key()), false);
    } else {
      journal.remove(stored.key());
    }
  }

  /** A command from MQTT, or an auto-observe made by the gateway. */
  void command(Command cmd, long deadlineMillis) {
    Registration reg = registration;
    if (reg == null || closed) {
      return;
    }
    BuildResult built = RequestBuilder.build(cmd, downlink.model(reg), profile(reg));
    if (built instanceof BuildResult.Invalid inv) {
      drop("invalid command: " + inv.reason());
      publish(config.translators().response(), EventJson.failure(cmd, inv.code(), inv.codeMsg(), inv.reason()));
    } else if (built instanceof BuildResult.CancelObserve c) {
      SingleObservation o = downlink.observation(reg, c.path());
      cancel(cmd, o == null ? null : new CancelObservationRequest(o), "no observation of " + c.path());
    } else if (built instanceof BuildResult.CancelObserveComposite c) {
      CompositeObservation o = downlink.compositeObservation(reg, c.paths());
      cancel(cmd, o == null ? null : new CancelCompositeObservationRequest(o), "no composite observation of " + c.paths());
    } else if (built instanceof BuildResult.Built b) {
      submit(new Waiting(cmd, b.request(), deadlineMillis, null));
    }
  }

  /** Active cancel; with no active observation, 4.04 (one still waiting to be re-established is dropped too). */
  private void cancel(Command cmd, DownlinkDeviceManagementRequest<? extends LwM2mResponse> request, String none) {
    observations.cancelled(cmd);
    if (request == null) {
      publish(config.translators().response(), EventJson.failure(cmd, "4.04", "not_found", none));
      return;
    }
    submit(new Waiting(cmd, request, Long.MAX_VALUE, null));
  }

  static ClientProfile profile(Registration reg) {
    return new ClientProfile(reg.getLwM2mVersion(), reg.getSupportedContentFormats());
  }

  /** Commands go out in arrival order: through the queue, which drains at once while the device is awake. */
  private void submit(Waiting w) {
    enqueue(asleep() ? journaled(w) : w, false);
    flush();
  }

  private boolean asleep() {
    return registration != null && registration.usesQueueMode() && !downlink.isAwake(registration);
  }

  /**
   * Commands that will wait for a sleeping device are journaled; cancel-observe is not (after a restart
   * there is nothing left to cancel), nor a re-established observation (its record is the observation's).
   */
  private Waiting journaled(Waiting w) {
    if (w.journalKey() != null || isCancel(w) || w.resume()) {
      return w;
    }
    return w.withKey(journal.save(name, w.command().envelope(), w.deadlineMillis()));
  }

  /** An observe that will not go out (expired, queue full, failed) takes no place among {@code max_observations}. */
  private void notStarted(Waiting w) {
    if (!w.resume() && (w.request() instanceof ObserveRequest || w.request() instanceof ObserveCompositeRequest)) {
      observations.notStarted(w.command());
    }
  }

  private static boolean isCancel(Waiting w) {
    return w.request() instanceof CancelObservationRequest || w.request() instanceof CancelCompositeObservationRequest;
  }

  private void enqueue(Waiting w, boolean first) {
    if (waiting.size() >= config.maxQueuedCommands()) {
      journal.remove(w.journalKey());
      notStarted(w);
      drop("queue full");
      publish(config.translators().response(), EventJson.failure(w.command(), "5.03", "service_unavailable",
          (asleep() ? "device asleep and " : "device busy and ") + "max_queued_commands (" + config.maxQueuedCommands() + ") reached"));
      return;
    }
    if (first) {
      waiting.addFirst(w);
    } else {
      waiting.addLast(w);
    }
    long delay = Math.max(0, w.deadlineMillis() - ctx.clock().millis());
    if (w.deadlineMillis() != Long.MAX_VALUE) {
      ctx.scheduler().schedule(() -> executor.execute(this::expire), delay + 1, TimeUnit.MILLISECONDS);
    }
  }

  /** Sends waiting commands in order while the device is awake; expired ones are answered instead. */
  private void flush() {
    expire();
    while (inFlight == null && !waiting.isEmpty() && registration != null && downlink.isAwake(registration)) {
      send(waiting.pollFirst());
    }
  }

  /** {@code w} was answered or failed: the next waiting command may go. */
  private void settled(Waiting w) {
    if (inFlight == w) {
      inFlight = null;
      if (!closed) {
        flush();
      }
    }
  }

  private void expire() {
    long now = ctx.clock().millis();
    for (Iterator<Waiting> it = waiting.iterator(); it.hasNext(); ) {
      Waiting w = it.next();
      if (now >= w.deadlineMillis()) {
        it.remove();
        journal.remove(w.journalKey());
        notStarted(w);
        drop("command expired while the device slept");
        publish(config.translators().response(), EventJson.failure(w.command(), "5.04", "gateway_timeout",
            "command expired before the device woke up"));
      }
    }
  }

  private void send(Waiting w) {
    Command cmd = w.command();
    if (w.resume() && !observations.isStored(cmd)) {
      return; // cancelled while it waited to be re-established
    }
    boolean observe = w.request() instanceof ObserveRequest || w.request() instanceof ObserveCompositeRequest;
    if (observe && !w.resume() && !observations.has(cmd) && observations.count() >= config.maxObservations()) {
      journal.remove(w.journalKey());
      ctx.metrics().counter("commands.refused", "reason", "max_observations").increment();
      drop("max_observations (" + config.maxObservations() + ") reached, observe " + cmd.reqPath() + " refused");
      publish(config.translators().response(), EventJson.failure(cmd, "5.03", "service_unavailable",
          "max_observations (" + config.maxObservations() + ") reached"));
      return;
    }
    if (observe) {
      observations.started(cmd);
    }
    Registration reg = registration;
    boolean cancel = w.request() instanceof CancelObservationRequest;
    boolean cancelComposite = w.request() instanceof CancelCompositeObservationRequest;
    inFlight = w;
    try {
      sendNow(w, cmd, reg, observe, cancel, cancelComposite);
    } catch (RuntimeException e) { // refused before it went out: answered as a failure, the queue moves on
      inFlight = null;
      failed(w, e);
    }
  }

  private void sendNow(Waiting w, Command cmd, Registration reg, boolean observe, boolean cancel,
      boolean cancelComposite) {
    downlink.send(reg, w.request(), config.commandTimeout(),
        r -> executor.execute(() -> {
          try {
            answered(w, cmd, reg, r, observe, cancel, cancelComposite);
          } finally {
            settled(w);
          }
        }),
        e -> executor.execute(() -> {
          try {
            failed(w, e);
          } finally {
            settled(w);
          }
        }));
  }

  private void answered(Waiting w, Command cmd, Registration reg, LwM2mResponse r, boolean observe, boolean cancel,
      boolean cancelComposite) {
    journal.remove(w.journalKey());
    if (cancel) {
      downlink.forgetObservations(reg, cmd.reqPath()); // a no-op when Leshan already dropped it
    } else if (cancelComposite) {
      downlink.forgetCompositeObservations(reg, cmd.reqPaths());
    }
    if (observe && r.isSuccess()) {
      observations.established(cmd);
    } else if (w.resume()) {
      observations.cancelled(cmd); // the device refused it this time: the application hears why
    } else if (observe) {
      observations.notStarted(cmd);
    }
    if (w.resume() && r.isSuccess()) {
      publish(config.translators().notification(), EventJson.bytes(observations.resumedNotification(w, r, downlink.modelless(reg))));
      return;
    }
    ObjectNode out = EventJson.responseTree(cmd, r, downlink.modelless(reg));
    if (w.resume()) {
      out.put("resumed", true);
    }
    publish(config.translators().response(), EventJson.bytes(out));
  }

  private void failed(Waiting w, Exception e) {
    if (e instanceof ClientSleepingException) {
      enqueue(journaled(w), true);
      return;
    }
    if (w.resume()) {
      // no answer: tried again the next time the device is heard (an update, a register, a wake-up)
      LOG.debug("LwM2M {}: re-establishing the observation of {} failed: {}", name, w.command().reqPath(), e.toString());
      observations.resumeLater(w.command());
      return;
    }
    journal.remove(w.journalKey());
    notStarted(w);
    if (e instanceof TimeoutException) {
      publish(config.translators().response(), EventJson.timeout(w.command()));
    } else if (e instanceof InvalidResponseException) {
      publish(config.translators().response(), EventJson.failure(w.command(), "4.00", "bad_request", e.getMessage()));
    } else {
      LOG.debug("LwM2M {}: {} failed: {}", name, w.command().type().wire(), e.toString());
      publish(config.translators().response(), EventJson.failure(w.command(), "5.00", "internal_server_error", e.toString()));
    }
  }

  // ---------------------------------------------------------------- uplink data

  void notified(String path, LwM2mPath lwm2mPath, LwM2mNode content) {
    long seq = observations.nextSeq(path);
    publish(config.translators().notification(), EventJson.bytes(EventJson.notifyTree(observations.reqId(path), path, seq,
        lwm2mPath, content, downlink.modelless(registration))));
  }

  /** Observations of the previous run go out again (through the queue: a sleeping device gets them when it wakes). */
  private void resumeObservations() {
    Registration reg = registration;
    if (reg != null && !closed && session != null) {
      observations.resumeRequests(downlink.model(reg), profile(reg)).forEach(w -> enqueue(w, false));
    }
  }

  /** An observe-composite notification: found by its path set, whatever order the command named them in. */
  void notifiedComposite(List<String> paths, Map<LwM2mPath, LwM2mNode> content) {
    String key = Command.compositeKey(paths);
    long seq = observations.nextSeq(key);
    publish(config.translators().notification(), EventJson.bytes(EventJson.notifyCompositeTree(observations.reqId(key), paths,
        seq, content, downlink.modelless(registration))));
  }

  void sent(TimestampedLwM2mNodes nodes) {
    publish(config.translators().send(), EventJson.send(nodes, downlink.modelless(registration)));
  }

  // ---------------------------------------------------------------- broker

  @Override
  public void sessionClosed(CloseReason reason) {
    LOG.debug("LwM2M {}: session closed by the broker ({})", name, reason);
    closed = true;
    ready = false;
    session = null;
    waiting.forEach(w -> journal.remove(w.journalKey())); // a no-op while the gateway stops
    waiting.clear();
    observations.forgetAll(); // a no-op while the gateway stops (the journal is frozen)
    owner.removed(this);
    if (registration != null) {
      downlink.removeRegistration(registration);
    }
  }

  private void publish(Translator t, byte[] json) {
    Message m = new Message(mountpoint.mountTopic(t.topic()), Payload.wrapOwned(json), t.qos(), false, null, ctx.clock().millis());
    if (session == null) {
      if (!closed) {
        beforeSession.add(m);
      }
      return;
    }
    session.publish(m);
  }

  private void drop(String why) {
    owner.dropped();
    DROPS.debug("LwM2M {}: {}", name, why);
  }
}
