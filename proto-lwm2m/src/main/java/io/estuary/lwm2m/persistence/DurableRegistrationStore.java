package io.estuary.lwm2m.persistence;

import io.estuary.api.KeyValueSpace;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.eclipse.leshan.server.registration.Deregistration;
import org.eclipse.leshan.server.registration.InMemoryRegistrationStore;
import org.eclipse.leshan.server.registration.Registration;
import org.eclipse.leshan.server.registration.RegistrationUpdate;
import org.eclipse.leshan.server.registration.UpdatedRegistration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leshan's in-memory registration store, written through to the key-value space ({@code reg/<endpoint>}).
 * Leshan calls it on Californium's threads (and on its expiry cleaner's): each write is handed to
 * {@code writer}, a single thread, so writes stay ordered and never block an I/O thread. Observations
 * are not persisted (Californium's observe tokens do not survive a restart either).
 */
public final class DurableRegistrationStore extends InMemoryRegistrationStore {
  private static final Logger LOG = LoggerFactory.getLogger(DurableRegistrationStore.class);
  static final String PREFIX = "reg/";

  private final KeyValueSpace kv;
  private volatile boolean frozen;

  public DurableRegistrationStore(KeyValueSpace kv) {
    this.kv = kv;
  }

  /**
   * Reads every stored registration into memory (before the server starts); completes on the store
   * executor. Unreadable records are deleted.
   */
  public CompletionStage<List<Registration>> load() {
    return kv.scan(PREFIX).thenApply(stored -> {
      List<Registration> loaded = new ArrayList<>();
      List<String> bad = new ArrayList<>();
      stored.forEach((key, bytes) -> {
        Registration r = RegistrationJson.decode(bytes);
        if (r == null || !key.equals(PREFIX + r.getEndpoint())) {
          bad.add(key);
        } else {
          loaded.add(r);
        }
      });
      bad.forEach(key -> logged(kv.delete(key)));
      if (!bad.isEmpty()) {
        LOG.warn("LwM2M: {} unreadable stored registration(s) dropped", bad.size());
      }
      loaded.forEach(super::addRegistration);
      return loaded;
    });
  }

  /** Logs a failed fire-and-forget write (the in-memory state stays right; a restart would miss it). */
  static void logged(CompletionStage<?> write) {
    write.whenComplete((v, e) -> {
      if (e != null) {
        LOG.debug("LwM2M store write failed: {}", e.toString()); // counted and WARNed rate-limited by the watched space
      }
    });
  }

  /** Puts {@code reg} in memory only (its stored record is already there). */
  public void replaceInMemory(Registration reg) {
    super.addRegistration(reg);
  }

  /** From now on nothing is written: the gateway is stopping and registrations must stay stored. */
  public void freeze() {
    frozen = true;
  }

  @Override
  public Deregistration addRegistration(Registration registration) {
    Deregistration previous = super.addRegistration(registration);
    if (previous != null && !previous.getRegistration().getEndpoint().equals(registration.getEndpoint())) {
      delete(previous.getRegistration().getEndpoint());
    }
    save(registration);
    return previous;
  }

  @Override
  public UpdatedRegistration updateRegistration(RegistrationUpdate update) {
    UpdatedRegistration u = super.updateRegistration(update);
    if (u != null) {
      save(u.getUpdatedRegistration());
    }
    return u;
  }

  @Override
  public Deregistration removeRegistration(String registrationId) {
    Deregistration d = super.removeRegistration(registrationId);
    if (d != null) {
      String ep = d.getRegistration().getEndpoint();
      // a newer registration of the same endpoint may already be stored: delete only if none is
      if (getRegistrationByEndpoint(ep) == null) {
        delete(ep);
      }
    }
    return d;
  }

  private void save(Registration r) {
    if (frozen) {
      return;
    }
    byte[] bytes = RegistrationJson.encode(r);
    logged(kv.put(PREFIX + r.getEndpoint(), bytes));
  }

  private void delete(String endpoint) {
    if (frozen) {
      return;
    }
    logged(kv.delete(PREFIX + endpoint));
  }
}
