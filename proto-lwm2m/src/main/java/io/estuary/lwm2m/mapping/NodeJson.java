package io.estuary.lwm2m.mapping;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.function.IntPredicate;
import org.eclipse.leshan.core.model.ResourceModel.Type;
import org.eclipse.leshan.core.node.LwM2mNode;
import org.eclipse.leshan.core.node.LwM2mObject;
import org.eclipse.leshan.core.node.LwM2mObjectInstance;
import org.eclipse.leshan.core.node.LwM2mPath;
import org.eclipse.leshan.core.node.LwM2mResource;
import org.eclipse.leshan.core.node.LwM2mResourceInstance;

/**
 * Flattens an LwM2M node to EMQX's {@code content}: {@code [{"path":"/3/0/0","value":"..."}]}. Values of
 * objects no model knows also carry their wire {@code type} ({@code "Integer"}, {@code "Opaque"} ...): as the
 * device's content format gave it (SenML and CBOR say it, TLV does not, so TLV values are Opaque).
 */
public final class NodeJson {
  /** No object is model-less. */
  public static final IntPredicate ALL_MODELLED = id -> false;

  private NodeJson() {}

  public static ArrayNode content(LwM2mPath path, LwM2mNode node) {
    return content(path, node, ALL_MODELLED);
  }

  /** {@code modelless}: object ids without a model, whose values carry their wire type. */
  public static ArrayNode content(LwM2mPath path, LwM2mNode node, IntPredicate modelless) {
    ArrayNode out = JsonNodeFactory.instance.arrayNode();
    append(out, path, node, modelless);
    return out;
  }

  static void append(ArrayNode out, LwM2mPath path, LwM2mNode node) {
    append(out, path, node, ALL_MODELLED);
  }

  static void append(ArrayNode out, LwM2mPath path, LwM2mNode node, IntPredicate modelless) {
    if (node instanceof LwM2mObject o) {
      LwM2mPath base = path.isRoot() ? new LwM2mPath(o.getId()) : path.toObjectPath();
      o.getInstances().forEach((id, inst) -> append(out, base.append(id), inst, modelless));
    } else if (node instanceof LwM2mObjectInstance i) {
      LwM2mPath base = path.isObject() ? path.append(i.getId()) : path.toObjectInstancePath();
      i.getResources().forEach((id, r) -> append(out, base.append(id), r, modelless));
    } else if (node instanceof LwM2mResource r) {
      LwM2mPath base = path.isObjectInstance() ? path.append(r.getId()) : path.toResourcePath();
      if (r.isMultiInstances()) {
        r.getInstances().forEach((id, ri) -> entry(out, base.append(id), ri.getValue(), ri.getType(), modelless));
      } else {
        entry(out, base, r.getValue(), r.getType(), modelless);
      }
    } else if (node instanceof LwM2mResourceInstance ri) {
      entry(out, path.isResource() ? path.append(ri.getId()) : path, ri.getValue(), ri.getType(), modelless);
    }
  }

  private static void entry(ArrayNode out, LwM2mPath path, Object value, Type type, IntPredicate modelless) {
    ObjectNode e = out.addObject();
    e.put("path", path.toString());
    e.set("value", ValueCodec.toJson(value));
    if (type != null && path.getObjectId() != null && modelless.test(path.getObjectId())) {
      e.put("type", ValueCodec.typeName(type));
    }
  }
}
