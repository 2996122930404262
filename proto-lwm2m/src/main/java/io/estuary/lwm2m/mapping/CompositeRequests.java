package io.estuary.lwm2m.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.leshan.core.model.LwM2mModel;
import org.eclipse.leshan.core.model.ResourceModel.Type;
import org.eclipse.leshan.core.node.LwM2mNode;
import org.eclipse.leshan.core.node.LwM2mPath;
import org.eclipse.leshan.core.node.LwM2mResourceInstance;
import org.eclipse.leshan.core.node.LwM2mSingleResource;
import org.eclipse.leshan.core.request.ContentFormat;
import org.eclipse.leshan.core.request.ObserveCompositeRequest;
import org.eclipse.leshan.core.request.ReadCompositeRequest;
import org.eclipse.leshan.core.request.WriteCompositeRequest;

/**
 * The LwM2M 1.1 composite operations (TS Core §5.4.6, §5.4.7, §5.5.2): read-composite (FETCH),
 * write-composite (iPATCH), observe-composite (FETCH + Observe) and cancel-observe-composite, all on
 * SenML CBOR or SenML JSON. Problems become {@link BuildResult.Invalid} like any other command's.
 */
final class CompositeRequests {
  private CompositeRequests() {}

  static BuildResult build(Command cmd, LwM2mModel model, ClientProfile device) {
    String op = cmd.type().wire();
    if (!device.supportsComposite()) {
      // the device cannot do FETCH/iPATCH on "/": answered here rather than by a 4.05 from the device
      return new BuildResult.Invalid("4.05", "method_not_allowed",
          op + " needs LwM2M 1.1, the device registered with LwM2M " + device.version());
    }
    ContentFormat format = ContentFormats.requested(cmd.data());
    if (format == null) {
      format = device.compositeFormat();
    } else if (!ContentFormats.COMPOSITE.contains(format)) {
      return BuildResult.Invalid.badRequest(op + " needs contentFormat senml-cbor or senml-json, was " + format.getName());
    }
    List<LwM2mPath> paths = new ArrayList<>();
    for (String p : cmd.reqPaths()) {
      LwM2mPath path = RequestBuilder.path(p);
      if (path.isRoot()) {
        return BuildResult.Invalid.badRequest(op + " paths must name an object or below, was '" + p + "'");
      }
      paths.add(path);
    }
    return switch (cmd.type()) {
      case READ_COMPOSITE -> new BuildResult.Built(new ReadCompositeRequest(paths, format, format, null));
      case OBSERVE_COMPOSITE -> new BuildResult.Built(new ObserveCompositeRequest(format, format, paths));
      case CANCEL_OBSERVE_COMPOSITE -> new BuildResult.CancelObserveComposite(paths.stream().map(LwM2mPath::toString).toList());
      case WRITE_COMPOSITE -> write(paths, cmd.data(), model, format);
      default -> throw new IllegalStateException("not composite: " + cmd.type());
    };
  }

  /** {@code content:[{path, value, type?}]}: each path a resource or a resource instance, typed by the model. */
  private static BuildResult write(List<LwM2mPath> paths, ObjectNode data, LwM2mModel model, ContentFormat format) {
    Map<LwM2mPath, LwM2mNode> nodes = new LinkedHashMap<>();
    int i = 0;
    for (JsonNode item : data.get("content")) {
      LwM2mPath path = paths.get(i++);
      if (!path.isResource() && !path.isResourceInstance()) {
        throw new IllegalArgumentException("write-composite paths must be resources or resource instances, was " + path);
      }
      Type type = RequestBuilder.type(path.getObjectId(), path.getResourceId(), (ObjectNode) item, model);
      Object value = ValueCodec.toValue(item.get("value"), type);
      LwM2mNode node = path.isResource() ? LwM2mSingleResource.newResource(path.getResourceId(), value, type)
          : LwM2mResourceInstance.newInstance(path.getResourceInstanceId(), value, type);
      if (nodes.put(path, node) != null) {
        throw new IllegalArgumentException("write-composite names " + path + " twice");
      }
    }
    return new BuildResult.Built(new WriteCompositeRequest(format, nodes, null));
  }
}
