package io.estuary.lwm2m.model;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.eclipse.leshan.core.model.DDFFileParser;
import org.eclipse.leshan.core.model.InvalidDDFFileException;
import org.eclipse.leshan.core.model.ObjectModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's {@code xml_dir}: every {@code *.xml} in it, parsed at start. A file that is not a valid
 * object definition is skipped with a warning naming it and the problem (the gateway still starts: one
 * bad vendor file must not take every other device down).
 *
 * @param dir the directory as resolved (absolute)
 * @param models the models read
 * @param skipped one line per skipped file: {@code "<file>: <problem>"}
 */
public record XmlDirModels(File dir, List<ObjectModel> models, List<String> skipped) {
  private static final Logger LOG = LoggerFactory.getLogger(XmlDirModels.class);

  public XmlDirModels {
    models = List.copyOf(models);
    skipped = List.copyOf(skipped);
  }

  /** {@code xmlDir} relative to the working directory; empty or missing → no models. */
  public static XmlDirModels read(String xmlDir) {
    if (xmlDir == null || xmlDir.isEmpty()) {
      return new XmlDirModels(null, List.of(), List.of());
    }
    File dir = new File(xmlDir).getAbsoluteFile();
    File[] files = dir.listFiles((d, n) -> n.toLowerCase(java.util.Locale.ROOT).endsWith(".xml"));
    if (files == null) {
      return new XmlDirModels(dir, List.of(), List.of());
    }
    Arrays.sort(files);
    List<ObjectModel> models = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    DDFFileParser parser = new DDFFileParser();
    for (File f : files) {
      try {
        List<ObjectModel> in = parser.parse(f);
        if (in.isEmpty()) {
          skipped.add(f.getName() + ": no <Object> definition");
        }
        models.addAll(in);
      } catch (IOException | InvalidDDFFileException | RuntimeException e) {
        String problem = e.getMessage() != null ? e.getMessage() : e.toString();
        if (e.getCause() != null && e.getCause().getMessage() != null) {
          problem = problem + " (" + e.getCause().getMessage() + ")";
        }
        skipped.add(f.getName() + ": " + problem);
      }
    }
    for (String s : skipped) {
      LOG.warn("LwM2M: xml_dir {}: skipped {}", dir, s);
    }
    return new XmlDirModels(dir, models, skipped);
  }

  public boolean exists() {
    return dir != null && dir.isDirectory();
  }
}
