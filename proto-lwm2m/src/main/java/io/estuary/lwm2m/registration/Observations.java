package io.estuary.lwm2m.registration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.estuary.lwm2m.mapping.BuildResult;
import io.estuary.lwm2m.mapping.ClientProfile;
import io.estuary.lwm2m.mapping.Command;
import io.estuary.lwm2m.mapping.EventJson;
import io.estuary.lwm2m.mapping.RequestBuilder;
import java.util.function.IntPredicate;
import org.eclipse.leshan.core.model.LwM2mModel;
import org.eclipse.leshan.core.node.LwM2mNode;
import org.eclipse.leshan.core.node.LwM2mPath;
import org.eclipse.leshan.core.request.ObserveRequest;
import org.eclipse.leshan.core.response.LwM2mResponse;
import org.eclipse.leshan.core.response.ObserveCompositeResponse;
import org.eclipse.leshan.core.response.ObserveResponse;
import io.estuary.lwm2m.mapping.CommandParser;
import io.estuary.lwm2m.mapping.ParseResult;
import io.estuary.lwm2m.persistence.ObservationJournal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One endpoint's observations: the reqID and notification sequence number of each observed path (or
 * composite path set), the stored record of each established observation, and those to re-establish
 * after a restart. Every method runs on the endpoint's executor.
 */
final class Observations {
  private final String endpoint;
  private final ObservationJournal journal;
  private final Map<String, JsonNode> reqIds = new HashMap<>();
  private final Map<String, Long> seq = new HashMap<>();
  /** store key → the command, for observations established (or restored) and not cancelled. */
  private final Map<String, Command> stored = new LinkedHashMap<>();
  /** restored observations not re-established yet, in store order. */
  private final List<Command> toResume = new ArrayList<>();

  Observations(String endpoint, ObservationJournal journal) {
    this.endpoint = endpoint;
    this.journal = journal;
  }

  private String storeKey(Command cmd) {
    return ObservationJournal.key(endpoint, cmd.type().composite(), cmd.reqPath());
  }

  /** An observe (or observe-composite) goes out: its notifications carry its reqID. */
  void started(Command cmd) {
    reqIds.put(cmd.reqPath(), cmd.envelope().get("reqID"));
  }

  /** Whether {@code cmd}'s path (or path set) is observed or being observed. */
  boolean has(Command cmd) {
    return reqIds.containsKey(cmd.reqPath()) || stored.containsKey(storeKey(cmd));
  }

  /** Observations started or established (each path or path set once): what {@code max_observations} counts. */
  int count() {
    return Math.max(reqIds.size(), stored.size());
  }

  /**
   * An observe that was not established (refused, failed, timed out) leaves nothing behind, unless the path was
   * observed before it (a repeated observe of an established observation keeps it).
   */
  void notStarted(Command cmd) {
    if (!stored.containsKey(storeKey(cmd))) {
      reqIds.remove(cmd.reqPath());
      seq.remove(cmd.reqPath());
    }
  }

  /** The device accepted it: it is stored, to be re-established after a restart. */
  void established(Command cmd) {
    String key = storeKey(cmd);
    Command before = stored.put(key, cmd);
    if (before == null || !before.envelope().equals(cmd.envelope())) {
      journal.save(key, cmd.envelope());
    }
  }

  /** Cancelled (or refused when re-established): forgotten, here and in the store. */
  void cancelled(Command cmd) {
    reqIds.remove(cmd.reqPath());
    seq.remove(cmd.reqPath());
    String key = storeKey(cmd);
    toResume.removeIf(c -> storeKey(c).equals(key));
    if (stored.remove(key) != null) {
      journal.remove(key);
    }
  }

  /** Whether the observation {@code cmd} started is still wanted (not cancelled since). */
  boolean isStored(Command cmd) {
    return stored.containsKey(storeKey(cmd));
  }

  JsonNode reqId(String pathKey) {
    return reqIds.get(pathKey);
  }

  long nextSeq(String pathKey) {
    return seq.merge(pathKey, 1L, Long::sum);
  }

  /** Records read back at start: each becomes an observation to re-establish. Unreadable ones are deleted. */
  void restore(List<ObservationJournal.Entry> entries) {
    for (ObservationJournal.Entry e : entries) {
      if (CommandParser.parse(e.command()) instanceof ParseResult.Parsed p && p.command().type().observe()) {
        String key = storeKey(p.command());
        if (!key.equals(e.key())) { // stored before paths were taken in Leshan's form: kept under the key it has now
          journal.remove(e.key());
          if (stored.containsKey(key)) {
            continue; // the same path, spelled twice
          }
          journal.save(key, p.command().envelope());
        }
        stored.put(key, p.command());
        toResume.add(p.command());
      } else {
        journal.remove(e.key());
      }
    }
  }

  /**
   * The observations to re-establish now, as requests for the device's model (each comes back through
   * {@link #resumeLater} if it could not be sent); one that no longer builds is forgotten.
   */
  List<Waiting> resumeRequests(LwM2mModel model, ClientProfile profile) {
    List<Waiting> out = new ArrayList<>();
    for (Command cmd : toResume) {
      if (RequestBuilder.build(cmd, model, profile) instanceof BuildResult.Built b) {
        out.add(new Waiting(cmd, b.request(), Long.MAX_VALUE, null, true));
      } else {
        String key = storeKey(cmd);
        stored.remove(key);
        journal.remove(key);
      }
    }
    toResume.clear();
    return out;
  }

  /** The first answer of a re-established observation: a notification flagged {@code "resumed": true}. */
  ObjectNode resumedNotification(Waiting w, LwM2mResponse r, IntPredicate modelless) {
    Command cmd = w.command();
    long n = nextSeq(cmd.reqPath());
    ObjectNode out;
    if (r instanceof ObserveCompositeResponse oc) {
      Map<LwM2mPath, LwM2mNode> content = oc.getContent() != null || oc.getTimestampedLwM2mNodes() == null
          ? oc.getContent() : oc.getTimestampedLwM2mNodes().getMostRecentNodes();
      out = EventJson.notifyCompositeTree(reqId(cmd.reqPath()), cmd.reqPaths(), n, content, modelless);
    } else {
      ObserveResponse o = (ObserveResponse) r;
      LwM2mNode content = o.getContent() != null || o.getTimestampedLwM2mNode() == null
          ? o.getContent() : o.getTimestampedLwM2mNode().getNode();
      LwM2mPath path = ((ObserveRequest) w.request()).getPath();
      out = EventJson.notifyTree(reqId(cmd.reqPath()), cmd.reqPath(), n, path, content, modelless);
    }
    out.put("resumed", true);
    return out;
  }

  void resumeLater(Command cmd) {
    if (!toResume.contains(cmd)) {
      toResume.add(cmd);
    }
  }

  /**
   * The device registered again: its established observations are gone on both sides (Leshan drops them),
   * their records too; observations still waiting to be re-established stay.
   */
  void lostByRegistration() {
    stored.entrySet().removeIf(e -> {
      if (toResume.contains(e.getValue())) {
        return false;
      }
      journal.remove(e.getKey());
      return true;
    });
    reqIds.clear(); // those to re-establish get theirs again when they go out
    seq.clear();
  }

  /** The device deregistered (or its registration ended): every record goes. */
  void forgetAll() {
    stored.keySet().forEach(journal::remove);
    stored.clear();
    toResume.clear();
    reqIds.clear();
    seq.clear();
  }
}
