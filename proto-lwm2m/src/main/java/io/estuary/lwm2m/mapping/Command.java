package io.estuary.lwm2m.mapping;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * A parsed downlink command.
 *
 * @param envelope the whole command as received (reqID and any other top-level fields are echoed back)
 * @param type the msgType
 * @param data the {@code data} object
 * @param reqPath the path the command targets ({@code path}, or {@code basePath}), query removed
 */
public record Command(ObjectNode envelope, CommandType type, ObjectNode data, String reqPath) {
  public Command {
    Objects.requireNonNull(envelope, "envelope");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(reqPath, "reqPath");
  }
}
