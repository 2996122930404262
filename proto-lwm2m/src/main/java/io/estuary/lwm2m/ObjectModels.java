package io.estuary.lwm2m;

import java.io.File;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.leshan.core.model.ObjectLoader;
import org.eclipse.leshan.core.model.ObjectModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Leshan's built-in OMA object models plus every XML in {@code xml_dir} (which wins for the same id and version). */
final class ObjectModels {
  private static final Logger LOG = LoggerFactory.getLogger(ObjectModels.class);

  private ObjectModels() {}

  static List<ObjectModel> load(String xmlDir) {
    Map<String, ObjectModel> byIdVersion = new LinkedHashMap<>();
    for (ObjectModel m : ObjectLoader.loadAllDefault()) {
      byIdVersion.put(m.id + "@" + m.version, m);
    }
    File dir = new File(xmlDir);
    if (!xmlDir.isEmpty() && dir.isDirectory()) {
      List<ObjectModel> extra = ObjectLoader.loadObjectsFromDir(dir, false);
      for (ObjectModel m : extra) {
        byIdVersion.put(m.id + "@" + m.version, m);
      }
      LOG.info("LwM2M: {} object models from {}", extra.size(), dir.getAbsolutePath());
    } else if (!xmlDir.isEmpty()) {
      LOG.info("LwM2M: xml_dir {} not found, only the built-in OMA object models are loaded", dir.getAbsolutePath());
    }
    return new ArrayList<>(byIdVersion.values());
  }
}
