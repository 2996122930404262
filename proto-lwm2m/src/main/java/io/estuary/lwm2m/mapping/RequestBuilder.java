package io.estuary.lwm2m.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.leshan.core.link.lwm2m.attributes.LwM2mAttribute;
import org.eclipse.leshan.core.link.lwm2m.attributes.LwM2mAttributeSet;
import org.eclipse.leshan.core.link.lwm2m.attributes.LwM2mAttributes;
import org.eclipse.leshan.core.model.LwM2mModel;
import org.eclipse.leshan.core.model.ResourceModel;
import org.eclipse.leshan.core.model.ResourceModel.Type;
import org.eclipse.leshan.core.node.InvalidLwM2mPathException;
import org.eclipse.leshan.core.node.LwM2mMultipleResource;
import org.eclipse.leshan.core.node.LwM2mNodeException;
import org.eclipse.leshan.core.node.LwM2mObjectInstance;
import org.eclipse.leshan.core.node.LwM2mPath;
import org.eclipse.leshan.core.node.LwM2mResource;
import org.eclipse.leshan.core.node.LwM2mResourceInstance;
import org.eclipse.leshan.core.node.LwM2mSingleResource;
import org.eclipse.leshan.core.request.ContentFormat;
import org.eclipse.leshan.core.request.CreateRequest;
import org.eclipse.leshan.core.request.DeleteRequest;
import org.eclipse.leshan.core.request.DiscoverRequest;
import org.eclipse.leshan.core.request.ExecuteRequest;
import org.eclipse.leshan.core.request.ObserveRequest;
import org.eclipse.leshan.core.request.ReadRequest;
import org.eclipse.leshan.core.request.WriteAttributesRequest;
import org.eclipse.leshan.core.request.WriteRequest;
import org.eclipse.leshan.core.request.exception.InvalidRequestException;

/**
 * Turns a {@link Command} into a Leshan request, with the object model of the device for typing
 * values. Anything the device could not understand (bad path, unknown object, value of the wrong type)
 * becomes {@link BuildResult.Invalid}, answered without touching the device.
 */
public final class RequestBuilder {
  private RequestBuilder() {}

  public static BuildResult build(Command cmd, LwM2mModel model) {
    return build(cmd, model, ClientProfile.LWM2M_1_1);
  }

  /** {@code device} picks the default content formats and refuses composite operations to LwM2M 1.0 devices. */
  public static BuildResult build(Command cmd, LwM2mModel model, ClientProfile device) {
    try {
      if (cmd.type().composite()) {
        return CompositeRequests.build(cmd, model, device);
      }
      ContentFormat format = ContentFormats.requested(cmd.data());
      LwM2mPath path = path(cmd.reqPath());
      // an object no model knows still goes to the device (it answers 4.04 if it has no such object);
      // only writes need a model or an explicit type per value
      return switch (cmd.type()) {
        case READ -> new BuildResult.Built(new ReadRequest(format != null ? format : device.readFormat(), path, null));
        case DISCOVER -> new BuildResult.Built(new DiscoverRequest(path.toString()));
        case OBSERVE -> new BuildResult.Built(new ObserveRequest(format != null ? format : device.readFormat(), path, null));
        case CANCEL_OBSERVE -> new BuildResult.CancelObserve(path.toString());
        case EXECUTE -> execute(path, cmd.data());
        case DELETE -> new BuildResult.Built(new DeleteRequest(requireDepth(path, 2, "delete")));
        case WRITE_ATTR -> new BuildResult.Built(new WriteAttributesRequest(path, attributes(cmd.data())));
        case WRITE -> write(path, cmd.data(), model, format != null ? format : device.writeFormat());
        case CREATE -> create(path, cmd.data(), model, format != null ? format : device.writeFormat());
        default -> throw new IllegalStateException("composite " + cmd.type());
      };
    } catch (IllegalArgumentException | InvalidLwM2mPathException | InvalidRequestException | LwM2mNodeException e) {
      return BuildResult.Invalid.badRequest(e.getMessage());
    }
  }

  static LwM2mPath path(String s) {
    String p = s.trim();
    if (p.isEmpty() || p.equals("/")) {
      return LwM2mPath.ROOTPATH;
    }
    if (p.length() > 1 && p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    return new LwM2mPath(p.startsWith("/") ? p : "/" + p);
  }

  private static LwM2mPath requireDepth(LwM2mPath path, int depth, String what) {
    int d = path.isObject() ? 1 : path.isObjectInstance() ? 2 : path.isResource() ? 3 : path.isResourceInstance() ? 4 : 0;
    if (d != depth) {
      throw new IllegalArgumentException(what + " needs a path of depth " + depth + ", was " + path);
    }
    return path;
  }

  private static BuildResult execute(LwM2mPath path, ObjectNode data) {
    requireDepth(path, 3, "execute");
    String args = CommandParser.text(data, "args");
    if (args == null || args.isEmpty() || args.equals("undefined")) {
      return new BuildResult.Built(new ExecuteRequest(path.toString()));
    }
    return new BuildResult.Built(new ExecuteRequest(path.toString(), args));
  }

  private static LwM2mAttributeSet attributes(ObjectNode data) {
    List<LwM2mAttribute<?>> attrs = new ArrayList<>();
    Long pmin = longAttr(data, "pmin");
    if (pmin != null) {
      attrs.add(LwM2mAttributes.create(LwM2mAttributes.MINIMUM_PERIOD, pmin));
    }
    Long pmax = longAttr(data, "pmax");
    if (pmax != null) {
      attrs.add(LwM2mAttributes.create(LwM2mAttributes.MAXIMUM_PERIOD, pmax));
    }
    Double gt = doubleAttr(data, "gt");
    if (gt != null) {
      attrs.add(LwM2mAttributes.create(LwM2mAttributes.GREATER_THAN, gt));
    }
    Double lt = doubleAttr(data, "lt");
    if (lt != null) {
      attrs.add(LwM2mAttributes.create(LwM2mAttributes.LESSER_THAN, lt));
    }
    Double st = doubleAttr(data, "st");
    if (st != null) {
      attrs.add(LwM2mAttributes.create(LwM2mAttributes.STEP, st));
    }
    if (attrs.isEmpty()) {
      throw new IllegalArgumentException("write-attr needs at least one of pmin, pmax, gt, lt, st");
    }
    return new LwM2mAttributeSet(attrs);
  }

  private static Long longAttr(ObjectNode data, String key) {
    String s = CommandParser.text(data, key);
    if (s == null || s.isEmpty()) {
      return null;
    }
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be an integer, was '" + s + "'");
    }
  }

  private static Double doubleAttr(ObjectNode data, String key) {
    String s = CommandParser.text(data, key);
    if (s == null || s.isEmpty()) {
      return null;
    }
    try {
      return Double.parseDouble(s.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a number, was '" + s + "'");
    }
  }

  /** Single write {@code path,type,value}, or batch write {@code basePath,content[]} (EMQX). */
  private static BuildResult write(LwM2mPath path, ObjectNode data, LwM2mModel model, ContentFormat format) {
    JsonNode content = data.get("content");
    if (data.hasNonNull("basePath") && !data.hasNonNull("path")) {
      if (content == null || !content.isArray() || content.isEmpty()) {
        throw new IllegalArgumentException("write with basePath needs a non-empty content array");
      }
      Map<LwM2mPath, JsonNode> items = items(path, content);
      if (path.isObjectInstance()) {
        List<LwM2mResource> resources = resources(path, items, model);
        // EMQX sends POST (partial update) to an object instance
        return new BuildResult.Built(new WriteRequest(WriteRequest.Mode.UPDATE, format,
            path.getObjectId(), path.getObjectInstanceId(), resources));
      }
      if (path.isResource()) {
        List<LwM2mResource> resources = resources(path.toObjectInstancePath(), items, model);
        if (resources.size() != 1) {
          throw new IllegalArgumentException("content must stay under basePath " + path);
        }
        return new BuildResult.Built(new WriteRequest(WriteRequest.Mode.REPLACE, format, path, resources.get(0)));
      }
      throw new IllegalArgumentException("write basePath must be an object instance or a resource, was " + path);
    }
    if (path.isResource() || path.isResourceInstance()) {
      Type type = type(path, data, model);
      Object value = ValueCodec.toValue(data.get("value"), type);
      if (path.isResourceInstance()) {
        return new BuildResult.Built(new WriteRequest(WriteRequest.Mode.REPLACE, format, path,
            LwM2mResourceInstance.newInstance(path.getResourceInstanceId(), value, type)));
      }
      return new BuildResult.Built(new WriteRequest(WriteRequest.Mode.REPLACE, format, path,
          LwM2mSingleResource.newResource(path.getResourceId(), value, type)));
    }
    throw new IllegalArgumentException("write path must be a resource (or use basePath and content), was " + path);
  }

  /** Create: {@code basePath} is the object, content paths carry the new instance id or are relative. */
  private static BuildResult create(LwM2mPath path, ObjectNode data, LwM2mModel model, ContentFormat format) {
    if (!path.isObject()) {
      throw new IllegalArgumentException("create basePath must be an object, was " + path);
    }
    JsonNode content = data.get("content");
    if (content == null || !content.isArray() || content.isEmpty()) {
      throw new IllegalArgumentException("create needs a non-empty content array");
    }
    Map<LwM2mPath, JsonNode> items = items(path, content);
    Map<Integer, Map<LwM2mPath, JsonNode>> byInstance = new TreeMap<>();
    Map<LwM2mPath, JsonNode> noInstance = new LinkedHashMap<>();
    for (Map.Entry<LwM2mPath, JsonNode> e : items.entrySet()) {
      if (e.getKey().getObjectInstanceId() == null) {
        noInstance.put(e.getKey(), e.getValue());
      } else {
        byInstance.computeIfAbsent(e.getKey().getObjectInstanceId(), k -> new LinkedHashMap<>()).put(e.getKey(), e.getValue());
      }
    }
    if (!noInstance.isEmpty() && !byInstance.isEmpty()) {
      throw new IllegalArgumentException("create content mixes paths with and without an instance id");
    }
    if (!noInstance.isEmpty()) {
      List<LwM2mResource> resources = resources(null, noInstance, model);
      return new BuildResult.Built(new CreateRequest(format, path.toString(), resources));
    }
    List<LwM2mObjectInstance> instances = new ArrayList<>();
    byInstance.forEach((id, m) -> instances.add(new LwM2mObjectInstance(id, resources(null, m, model))));
    return new BuildResult.Built(new CreateRequest(format, path.toString(),
        instances.toArray(new LwM2mObjectInstance[0])));
  }

  /**
   * Content items by full path. An item's path is absolute ("/3/0/1") or relative to {@code base}
   * ("1", "0/1"); relative paths under an object without an instance id stay instance-less.
   */
  private static Map<LwM2mPath, JsonNode> items(LwM2mPath base, JsonNode content) {
    Map<LwM2mPath, JsonNode> out = new LinkedHashMap<>();
    for (JsonNode item : content) {
      if (!item.isObject() || !item.hasNonNull("path")) {
        throw new IllegalArgumentException("each content item needs a path");
      }
      String p = item.get("path").asText().trim();
      LwM2mPath full;
      if (p.startsWith("/")) {
        full = new LwM2mPath(p);
        if (!full.startWith(base)) {
          throw new IllegalArgumentException("content path " + p + " is not under " + base);
        }
      } else if (base.isObject() && !p.contains("/")) {
        // a bare resource id under an object: instance chosen by the device (create)
        full = new InstancelessPath(base.getObjectId(), Integer.parseInt(p));
      } else {
        full = new LwM2mPath(base + "/" + p);
      }
      out.put(full, item);
    }
    return out;
  }

  /** Resources of one instance; items under the same resource id form a multiple resource. */
  private static List<LwM2mResource> resources(LwM2mPath instance, Map<LwM2mPath, JsonNode> items, LwM2mModel model) {
    Map<Integer, Map<Integer, Object>> multi = new TreeMap<>();
    Map<Integer, Type> multiTypes = new LinkedHashMap<>();
    List<LwM2mResource> out = new ArrayList<>();
    for (Map.Entry<LwM2mPath, JsonNode> e : items.entrySet()) {
      LwM2mPath p = e.getKey();
      int resourceId = p instanceof InstancelessPath ip ? ip.resourceId : requireResource(p);
      Type type = type(p.getObjectId(), resourceId, (ObjectNode) e.getValue(), model);
      Object value = ValueCodec.toValue(e.getValue().get("value"), type);
      if (p.isResourceInstance()) {
        multi.computeIfAbsent(resourceId, k -> new TreeMap<>()).put(p.getResourceInstanceId(), value);
        multiTypes.put(resourceId, type);
      } else {
        out.add(LwM2mSingleResource.newResource(resourceId, value, type));
      }
    }
    multi.forEach((id, values) -> out.add(LwM2mMultipleResource.newResource(id, values, multiTypes.get(id))));
    return out;
  }

  private static int requireResource(LwM2mPath p) {
    if (p.getResourceId() == null) {
      throw new IllegalArgumentException("content path " + p + " must name a resource");
    }
    return p.getResourceId();
  }

  private static Type type(LwM2mPath path, ObjectNode item, LwM2mModel model) {
    return type(path.getObjectId(), path.getResourceId(), item, model);
  }

  /** The item's {@code type} if given, else the model's. */
  static Type type(int objectId, int resourceId, ObjectNode item, LwM2mModel model) {
    String given = CommandParser.text(item, "type");
    if (given != null) {
      Type t = ValueCodec.parseType(given);
      if (t == null) {
        throw new IllegalArgumentException("unknown type '" + given + "'");
      }
      return t;
    }
    ResourceModel rm = model.getResourceModel(objectId, resourceId);
    if (rm == null || rm.type == null || rm.type == Type.NONE) {
      throw new IllegalArgumentException(model.getObjectModel(objectId) == null
          ? "object " + objectId + " has no model: each value needs a \"type\" (String, Integer, Unsigned Integer, "
              + "Float, Boolean, Opaque, Time, Objlnk)"
          : "object " + objectId + " has no resource " + resourceId + " in its model: give its \"type\"");
    }
    return rm.type;
  }

  /** A content item of a create without instance id: object and resource only. */
  private static final class InstancelessPath extends LwM2mPath {
    final int resourceId;

    InstancelessPath(int objectId, int resourceId) {
      super(objectId);
      this.resourceId = resourceId;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof InstancelessPath p && p.resourceId == resourceId && super.equals(o);
    }

    @Override
    public int hashCode() {
      return super.hashCode() * 31 + resourceId;
    }
  }
}
