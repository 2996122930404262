package io.estuary.lwm2m.mapping;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.eclipse.leshan.core.node.LwM2mNode;
import org.eclipse.leshan.core.node.LwM2mObject;
import org.eclipse.leshan.core.node.LwM2mObjectInstance;
import org.eclipse.leshan.core.node.LwM2mPath;
import org.eclipse.leshan.core.node.LwM2mResource;
import org.eclipse.leshan.core.node.LwM2mResourceInstance;

/** Flattens an LwM2M node to EMQX's {@code content}: {@code [{"path":"/3/0/0","value":"..."}]}. */
public final class NodeJson {
  private NodeJson() {}

  public static ArrayNode content(LwM2mPath path, LwM2mNode node) {
    ArrayNode out = JsonNodeFactory.instance.arrayNode();
    append(out, path, node);
    return out;
  }

  static void append(ArrayNode out, LwM2mPath path, LwM2mNode node) {
    if (node instanceof LwM2mObject o) {
      LwM2mPath base = path.isRoot() ? new LwM2mPath(o.getId()) : path.toObjectPath();
      o.getInstances().forEach((id, inst) -> append(out, base.append(id), inst));
    } else if (node instanceof LwM2mObjectInstance i) {
      LwM2mPath base = path.isObject() ? path.append(i.getId()) : path.toObjectInstancePath();
      i.getResources().forEach((id, r) -> append(out, base.append(id), r));
    } else if (node instanceof LwM2mResource r) {
      LwM2mPath base = path.isObjectInstance() ? path.append(r.getId()) : path.toResourcePath();
      if (r.isMultiInstances()) {
        r.getInstances().forEach((id, ri) -> entry(out, base.append(id), ri.getValue()));
      } else {
        entry(out, base, r.getValue());
      }
    } else if (node instanceof LwM2mResourceInstance ri) {
      entry(out, path.isResource() ? path.append(ri.getId()) : path, ri.getValue());
    }
  }

  private static void entry(ArrayNode out, LwM2mPath path, Object value) {
    ObjectNode e = out.addObject();
    e.put("path", path.toString());
    e.set("value", ValueCodec.toJson(value));
  }
}
