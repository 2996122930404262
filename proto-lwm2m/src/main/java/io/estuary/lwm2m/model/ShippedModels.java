package io.estuary.lwm2m.model;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.leshan.core.model.DDFFileParser;
import org.eclipse.leshan.core.model.InvalidDDFFileException;
import org.eclipse.leshan.core.model.ObjectLoader;
import org.eclipse.leshan.core.model.ObjectModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The object models that ship in the jar: the OMA LwM2M registry (OMA core, IPSO and third-party objects,
 * {@code models/registry/*.xml}, each with its BSD-3 licence header) and Leshan's older versions of the
 * core objects. {@code models/index.txt} names each file's object id and version, so start-up reads one
 * small file and a model is parsed the first time a device needs it (parsing all ~340 costs about half a
 * second on a cold JVM).
 */
public final class ShippedModels {
  private static final Logger LOG = LoggerFactory.getLogger(ShippedModels.class);
  static final String DIR = "/io/estuary/lwm2m/models/";
  static final String INDEX = DIR + "index.txt";

  /** One index line: object {@code id} at {@code version} is in {@code resource}. */
  public record Entry(int id, String version, String resource) {}

  /**
   * One parser for every shipped file: a new DDFFileParser builds its XML schema validator again, which costs
   * far more than parsing one file. Its use is serialized (parses are rare: once per object).
   */
  private static final DDFFileParser PARSER = new DDFFileParser();

  private final List<Entry> entries;
  private final Map<String, ObjectModel> parsed = new ConcurrentHashMap<>();

  private ShippedModels(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /** Reads the index (not the models). */
  public static ShippedModels load() {
    InputStream in = ShippedModels.class.getResourceAsStream(INDEX);
    if (in == null) {
      throw new IllegalStateException("proto-lwm2m resource " + INDEX + " is missing");
    }
    List<Entry> entries = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        line = line.trim();
        if (line.isEmpty() || line.startsWith("#")) {
          continue;
        }
        String[] f = line.split("\\s+");
        entries.add(new Entry(Integer.parseInt(f[0]), f[1], f[2]));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + INDEX, e);
    }
    return new ShippedModels(entries);
  }

  public List<Entry> entries() {
    return entries;
  }

  /** The model of {@code e}, parsed once; null (logged) if the shipped file cannot be read. */
  public ObjectModel model(Entry e) {
    ObjectModel m = parsed.get(e.resource());
    if (m != null) {
      return m;
    }
    m = parse(e);
    if (m != null) {
      ObjectModel raced = parsed.putIfAbsent(e.resource(), m);
      return raced != null ? raced : m;
    }
    return null;
  }

  /** Parses {@code e}'s file; the model must have the id and version the index says. */
  static ObjectModel parse(Entry e) {
    String res = e.resource();
    InputStream in = res.startsWith("leshan:") ? ObjectLoader.class.getResourceAsStream("/" + res.substring(7))
        : ShippedModels.class.getResourceAsStream(DIR + res);
    if (in == null) {
      LOG.warn("LwM2M: shipped object model {} is missing", res);
      return null;
    }
    try (in) {
      List<ObjectModel> models;
      synchronized (PARSER) {
        models = PARSER.parse(in, res);
      }
      for (ObjectModel m : models) {
        if (m.id == e.id() && m.version.equals(e.version())) {
          return m;
        }
      }
      LOG.warn("LwM2M: shipped object model {} does not hold object {} version {}", res, e.id(), e.version());
    } catch (IOException | InvalidDDFFileException | RuntimeException ex) {
      LOG.warn("LwM2M: shipped object model {} unreadable: {}", res, ex.toString());
    }
    return null;
  }
}
