package io.estuary.lwm2m.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.eclipse.leshan.core.LwM2m.Version;
import org.eclipse.leshan.core.model.LwM2mModel;
import org.eclipse.leshan.core.model.ObjectModel;
import org.eclipse.leshan.core.model.ResourceModel;
import org.eclipse.leshan.server.model.LwM2mModelProvider;
import org.eclipse.leshan.server.registration.Registration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every object model the gateway knows: {@code xml_dir} first, then the shipped ones (OMA registry,
 * Leshan's older core versions). For a device, an object resolves to the version its registration names
 * ({@code ver}, 1.0 when absent); when no model has that version, the newest known version is used rather
 * than none (devices often leave {@code ver} out for objects the registry has since revised). An object
 * no model knows resolves to null: commands still go to the device, see {@code mapping.RequestBuilder}.
 *
 * <p>{@code xml_dir} is parsed on a background thread started by {@link #start}; the first lookup waits
 * for it (at most a few seconds) so start-up does not pay for XML parsing.
 */
public final class ModelCatalog implements LwM2mModelProvider {
  private static final Logger LOG = LoggerFactory.getLogger(ModelCatalog.class);
  private static final Comparator<Version> NEWEST_FIRST = Comparator.<Version>naturalOrder().reversed();

  private final ShippedModels shipped;
  private final Map<Integer, List<ShippedModels.Entry>> shippedById = new HashMap<>();
  private final CompletableFuture<Map<Integer, List<ObjectModel>>> user;

  private ModelCatalog(ShippedModels shipped, CompletableFuture<XmlDirModels> xmlDir) {
    this.shipped = shipped;
    for (ShippedModels.Entry e : shipped.entries()) {
      shippedById.computeIfAbsent(e.id(), k -> new ArrayList<>()).add(e);
    }
    shippedById.values().forEach(l -> l.sort(Comparator.comparing(e -> new Version(e.version()), NEWEST_FIRST)));
    this.user = xmlDir.thenApply(x -> {
      Map<Integer, List<ObjectModel>> byId = new HashMap<>();
      for (ObjectModel m : x.models()) {
        List<ObjectModel> l = byId.computeIfAbsent(m.id, k -> new ArrayList<>());
        l.removeIf(o -> o.version.equals(m.version)); // a later file of the same id and version wins
        l.add(m);
      }
      byId.values().forEach(l -> l.sort(Comparator.comparing(m -> new Version(m.version), NEWEST_FIRST)));
      logLoaded(x);
      return byId;
    });
  }

  /** Reads the shipped index now and starts parsing {@code xmlDir} on {@code background}. */
  public static ModelCatalog start(String xmlDir, Executor background) {
    return new ModelCatalog(ShippedModels.load(), CompletableFuture.supplyAsync(() -> XmlDirModels.read(xmlDir), background));
  }

  /** Everything parsed on the calling thread (tests, tools). */
  public static ModelCatalog load(String xmlDir) {
    return new ModelCatalog(ShippedModels.load(), CompletableFuture.completedFuture(XmlDirModels.read(xmlDir)));
  }

  private void logLoaded(XmlDirModels x) {
    String from = x.dir() == null ? "no xml_dir"
        : x.exists() ? x.models().size() + " from xml_dir " + x.dir()
        : "xml_dir " + x.dir() + " not found";
    LOG.info("LwM2M object models: {} shipped for {} objects (OMA LwM2M registry and Leshan's core versions, "
        + "parsed on first use), {}{}", shipped.entries().size(), shippedById.size(), from,
        x.skipped().isEmpty() ? "" : ", " + x.skipped().size() + " file(s) skipped (invalid)");
  }

  /** The xml_dir models by id, newest first; waits for the background parse. */
  private Map<Integer, List<ObjectModel>> user() {
    try {
      return user.get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Map.of();
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      LOG.warn("LwM2M: xml_dir models not available: {}", e.toString());
      return Map.of();
    }
  }

  /** Waits until xml_dir is parsed (and the start-up line logged). */
  public void awaitLoaded() {
    user();
  }

  /** How many object ids have at least one model. */
  public int objectCount() {
    java.util.Set<Integer> ids = new java.util.HashSet<>(shippedById.keySet());
    ids.addAll(user().keySet());
    return ids.size();
  }

  /**
   * The model of object {@code id}: the version {@code wanted} if a model has it (xml_dir before shipped),
   * else the newest version (xml_dir before shipped); null when no model knows the object.
   */
  public ObjectModel find(int id, Version wanted) {
    List<ObjectModel> mine = user().getOrDefault(id, List.of());
    List<ShippedModels.Entry> ours = shippedById.getOrDefault(id, List.of());
    if (wanted != null) {
      for (ObjectModel m : mine) {
        if (new Version(m.version).equals(wanted)) {
          return m;
        }
      }
      for (ShippedModels.Entry e : ours) {
        if (new Version(e.version()).equals(wanted)) {
          ObjectModel m = shipped.model(e);
          if (m != null) {
            return m;
          }
        }
      }
    }
    if (!mine.isEmpty()) {
      return mine.get(0);
    }
    for (ShippedModels.Entry e : ours) {
      ObjectModel m = shipped.model(e);
      if (m != null) {
        return m;
      }
    }
    return null;
  }

  /** The models as {@code reg} sees them. */
  @Override
  public LwM2mModel getObjectModel(Registration reg) {
    return new DeviceModel(reg == null ? Map.of() : reg.getSupportedObject());
  }

  /** The models with no device: the newest version of each object. */
  public LwM2mModel model() {
    return new DeviceModel(Map.of());
  }

  /** One device's view: the versions of its registration's object list. */
  private final class DeviceModel implements LwM2mModel {
    private final Map<Integer, Version> versions;

    DeviceModel(Map<Integer, Version> versions) {
      this.versions = versions;
    }

    @Override
    public ObjectModel getObjectModel(int objectId) {
      return find(objectId, versions.get(objectId));
    }

    @Override
    public ResourceModel getResourceModel(int objectId, int resourceId) {
      ObjectModel o = getObjectModel(objectId);
      return o == null ? null : o.resources.get(resourceId);
    }

    @Override
    public Collection<ObjectModel> getObjectModels() {
      List<ObjectModel> out = new ArrayList<>();
      for (Integer id : versions.keySet()) {
        ObjectModel m = getObjectModel(id);
        if (m != null) {
          out.add(m);
        }
      }
      return out;
    }
  }
}
