package io.estuary.lwm2m.mapping;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Objects;

/**
 * A parsed downlink command.
 *
 * @param envelope the whole command as received (reqID and any other top-level fields are echoed back)
 * @param type the msgType
 * @param data the {@code data} object
 * @param reqPath the path the command targets ({@code path}, or {@code basePath}), query removed; for a
 *     composite command the key of its path set ({@link #compositeKey})
 * @param reqPaths a composite command's paths in the order given; empty for the others
 */
public record Command(ObjectNode envelope, CommandType type, ObjectNode data, String reqPath, List<String> reqPaths) {
  public Command {
    Objects.requireNonNull(envelope, "envelope");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(reqPath, "reqPath");
    reqPaths = List.copyOf(reqPaths);
  }

  /** A single-path command. */
  public Command(ObjectNode envelope, CommandType type, ObjectNode data, String reqPath) {
    this(envelope, type, data, reqPath, List.of());
  }

  /**
   * One name for a set of paths whatever their order, so that a composite notification finds the
   * observe-composite command that started it: the sorted paths joined with commas.
   */
  public static String compositeKey(List<String> paths) {
    return String.join(",", paths.stream().sorted().distinct().toList());
  }
}
