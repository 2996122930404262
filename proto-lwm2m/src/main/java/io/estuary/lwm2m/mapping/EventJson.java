package io.estuary.lwm2m.mapping;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;
import org.eclipse.leshan.core.ResponseCode;
import org.eclipse.leshan.core.link.Link;
import org.eclipse.leshan.core.link.lwm2m.LwM2mLink;
import org.eclipse.leshan.core.node.LwM2mNode;
import org.eclipse.leshan.core.node.LwM2mPath;
import org.eclipse.leshan.core.node.TimestampedLwM2mNodes;
import org.eclipse.leshan.core.request.BindingMode;
import org.eclipse.leshan.core.response.DiscoverResponse;
import org.eclipse.leshan.core.response.LwM2mResponse;
import org.eclipse.leshan.core.response.ReadCompositeResponse;
import org.eclipse.leshan.core.response.ReadResponse;
import org.eclipse.leshan.server.registration.Registration;

/** The JSON Estuary publishes, EMQX's shapes: command responses, notifications, Send data, register/update events. */
public final class EventJson {
  private EventJson() {}

  /** {@code {reqID.., msgType, data:{reqPath, code, codeMsg, content?}}} for a device's answer. */
  public static byte[] response(Command cmd, LwM2mResponse r) {
    return response(cmd, r, NodeJson.ALL_MODELLED);
  }

  /**
   * As {@link #response(Command, LwM2mResponse)}; when the command names an object in {@code modelless},
   * {@code data.modelless} is true and values of such objects carry their wire {@code type}.
   */
  public static byte[] response(Command cmd, LwM2mResponse r, IntPredicate modelless) {
    return bytes(responseTree(cmd, r, modelless));
  }

  /** The response as a tree (the caller may flag it, e.g. {@code resumed}). */
  public static ObjectNode responseTree(Command cmd, LwM2mResponse r, IntPredicate modelless) {
    ObjectNode data = base(cmd, CoapCodes.code(r.getCode()), CoapCodes.codeMsg(r.getCode()));
    markModelless(data, cmd.type().composite() ? cmd.reqPaths() : List.of(cmd.reqPath()), modelless);
    if (r.isSuccess()) {
      if (r instanceof ReadCompositeResponse rc && rc.getContent() != null) {
        data.set("content", compositeContent(rc.getContent(), modelless));
      } else if (r instanceof ReadResponse rr && rr.getContent() != null) {
        data.set("content", NodeJson.content(new LwM2mPath(cmd.reqPath().isEmpty() ? "/" : cmd.reqPath()), rr.getContent(),
            modelless));
      } else if (r instanceof DiscoverResponse dr) {
        ArrayNode links = data.putArray("content");
        for (LwM2mLink l : dr.getObjectLinks()) {
          links.add(l.toCoreLinkFormat());
        }
      }
    } else if (r.getErrorMessage() != null && !r.getErrorMessage().isEmpty()) {
      data.put("reason", r.getErrorMessage());
    }
    return envelope(cmd.envelope(), cmd.type().wire(), data);
  }

  /** Sets {@code data.modelless} when one of {@code paths} names an object without a model. */
  static void markModelless(ObjectNode data, List<String> paths, IntPredicate modelless) {
    for (String p : paths) {
      Integer id = objectId(p);
      if (id != null && modelless.test(id)) {
        data.put("modelless", true);
        return;
      }
    }
  }

  private static Integer objectId(String path) {
    String p = path.startsWith("/") ? path.substring(1) : path;
    int slash = p.indexOf('/');
    try {
      return p.isEmpty() ? null : Integer.valueOf(slash < 0 ? p : p.substring(0, slash));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** An answer made by the gateway itself (invalid command, expired, queue full). */
  public static byte[] failure(Command cmd, String code, String codeMsg, String reason) {
    ObjectNode data = base(cmd, code, codeMsg);
    data.put("reason", reason);
    return bytes(envelope(cmd.envelope(), cmd.type().wire(), data));
  }

  /** A payload that is no command: echoes what could be read, 4.00 bad_request with the reason. */
  public static byte[] rejected(ObjectNode envelope, String reason) {
    ObjectNode data = CommandParser.JSON.createObjectNode();
    JsonNode d = envelope.get("data");
    if (d != null && d.isObject()) {
      String p = CommandParser.text(d, "path");
      data.put("reqPath", p != null ? p : CommandParser.text(d, "basePath"));
    }
    data.put("code", "4.00");
    data.put("codeMsg", "bad_request");
    data.put("reason", reason);
    JsonNode mt = envelope.get("msgType");
    return bytes(envelope(envelope, mt != null && mt.isTextual() ? mt.asText() : "unknown", data));
  }

  /** EMQX's transport failure: msgType becomes {@code coap_timeout}, the command's data is kept. */
  public static byte[] timeout(Command cmd) {
    ObjectNode out = cmd.envelope().deepCopy();
    out.put("msgType", "coap_timeout");
    return bytes(out);
  }

  private static ObjectNode notifyEnvelope(JsonNode reqId, long seqNum) {
    ObjectNode out = CommandParser.JSON.createObjectNode();
    if (reqId != null) {
      out.set("reqID", reqId);
    }
    out.put("msgType", "notify");
    out.put("seqNum", seqNum);
    return out;
  }

  /** {@code {reqID?, msgType:"notify", seqNum, data:{reqPath, code, codeMsg, content}}}. */
  public static byte[] notify(JsonNode reqId, String reqPath, long seqNum, LwM2mPath path, LwM2mNode content) {
    return bytes(notifyTree(reqId, reqPath, seqNum, path, content, NodeJson.ALL_MODELLED));
  }

  /** The notification as a tree (the caller may flag it, e.g. {@code resumed}). */
  public static ObjectNode notifyTree(JsonNode reqId, String reqPath, long seqNum, LwM2mPath path, LwM2mNode content,
      IntPredicate modelless) {
    ObjectNode out = notifyEnvelope(reqId, seqNum);
    ObjectNode data = out.putObject("data");
    data.put("reqPath", reqPath);
    data.put("code", CoapCodes.code(ResponseCode.CONTENT));
    data.put("codeMsg", CoapCodes.codeMsg(ResponseCode.CONTENT));
    markModelless(data, List.of(reqPath), modelless);
    data.set("content", content == null ? CommandParser.JSON.createArrayNode() : NodeJson.content(path, content, modelless));
    return out;
  }

  /**
   * observe-composite notification: {@code {reqID?, msgType:"notify", seqNum, data:{reqPaths, code, codeMsg,
   * content}}}.
   */
  public static byte[] notifyComposite(JsonNode reqId, List<String> reqPaths, long seqNum, Map<LwM2mPath, LwM2mNode> content) {
    return bytes(notifyCompositeTree(reqId, reqPaths, seqNum, content, NodeJson.ALL_MODELLED));
  }

  /** The composite notification as a tree (the caller may flag it, e.g. {@code resumed}). */
  public static ObjectNode notifyCompositeTree(JsonNode reqId, List<String> reqPaths, long seqNum,
      Map<LwM2mPath, LwM2mNode> content, IntPredicate modelless) {
    ObjectNode out = notifyEnvelope(reqId, seqNum);
    ObjectNode data = out.putObject("data");
    ArrayNode paths = data.putArray("reqPaths");
    reqPaths.forEach(paths::add);
    data.put("code", CoapCodes.code(ResponseCode.CONTENT));
    data.put("codeMsg", CoapCodes.codeMsg(ResponseCode.CONTENT));
    markModelless(data, reqPaths, modelless);
    data.set("content", content == null ? CommandParser.JSON.createArrayNode() : compositeContent(content, modelless));
    return out;
  }

  /** Every value of every path, flattened; paths the device did not have (null nodes) are left out. */
  static ArrayNode compositeContent(Map<LwM2mPath, LwM2mNode> nodes) {
    return compositeContent(nodes, NodeJson.ALL_MODELLED);
  }

  static ArrayNode compositeContent(Map<LwM2mPath, LwM2mNode> nodes, IntPredicate modelless) {
    ArrayNode out = CommandParser.JSON.createArrayNode();
    nodes.forEach((path, node) -> {
      if (node != null) {
        NodeJson.append(out, path, node, modelless);
      }
    });
    return out;
  }

  /** LwM2M 1.1 Send: {@code {msgType:"send", data:{content:[{path, value, ts?}]}}}. */
  public static byte[] send(TimestampedLwM2mNodes nodes) {
    return send(nodes, NodeJson.ALL_MODELLED);
  }

  /** LwM2M 1.1 Send; values of objects in {@code modelless} carry their wire type. */
  public static byte[] send(TimestampedLwM2mNodes nodes, IntPredicate modelless) {
    ObjectNode out = CommandParser.JSON.createObjectNode();
    out.put("msgType", "send");
    ObjectNode data = out.putObject("data");
    data.put("reqPath", "/dp");
    ArrayNode content = data.putArray("content");
    for (Instant ts : nodes.getTimestamps()) {
      for (Map.Entry<LwM2mPath, LwM2mNode> e : nodes.getNodesAt(ts).entrySet()) {
        ArrayNode part = NodeJson.content(e.getKey(), e.getValue(), modelless);
        for (JsonNode item : part) {
          if (ts != null) {
            ((ObjectNode) item).put("ts", ts.getEpochSecond());
          }
          content.add(item);
        }
      }
    }
    return bytes(out);
  }

  /** {@code {msgType:"register"|"update", data:{ep, lt, sms?, lwm2m, b, alternatePath, objectList}}}. */
  public static byte[] registration(String msgType, Registration reg) {
    ObjectNode out = CommandParser.JSON.createObjectNode();
    out.put("msgType", msgType);
    ObjectNode data = out.putObject("data");
    data.put("ep", reg.getEndpoint());
    data.put("lt", reg.getLifeTimeInSec());
    if (reg.getSmsNumber() != null) {
      data.put("sms", reg.getSmsNumber());
    }
    data.put("lwm2m", reg.getLwM2mVersion().toString());
    String b = BindingMode.toString(reg.getBindingMode());
    if (reg.usesQueueMode() && !b.contains("Q")) {
      b = b + "Q";
    }
    data.put("b", b);
    for (Map.Entry<String, String> e : reg.getCustomRegistrationData().entrySet()) {
      data.put(e.getKey(), e.getValue());
    }
    String root = reg.getRootPath() == null ? "/" : reg.getRootPath();
    data.put("alternatePath", root);
    data.set("objectList", objectList(root, reg.getObjectLinks()));
    return bytes(out);
  }

  /** Object links without the alternate path and attributes: {@code ["/1/0", "/3/0"]}. */
  static ArrayNode objectList(String root, Link[] links) {
    ArrayNode list = CommandParser.JSON.createArrayNode();
    String prefix = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
    if (links == null) {
      return list;
    }
    for (Link l : links) {
      String uri = l.getUriReference();
      if (!prefix.isEmpty() && uri.equals(prefix)) {
        continue; // the alternate path link itself (rt="oma.lwm2m")
      }
      if (!prefix.isEmpty() && uri.startsWith(prefix + "/")) {
        uri = uri.substring(prefix.length());
      }
      if (uri.isEmpty() || uri.equals("/")) {
        continue;
      }
      list.add(uri);
    }
    return list;
  }

  private static ObjectNode base(Command cmd, String code, String codeMsg) {
    ObjectNode data = CommandParser.JSON.createObjectNode();
    if (cmd.type().composite()) {
      ArrayNode paths = data.putArray("reqPaths");
      cmd.reqPaths().forEach(paths::add);
    } else {
      data.put("reqPath", cmd.reqPath());
    }
    data.put("code", code);
    data.put("codeMsg", codeMsg);
    return data;
  }

  private static ObjectNode envelope(ObjectNode cmdEnvelope, String msgType, ObjectNode data) {
    ObjectNode out = cmdEnvelope.deepCopy();
    out.put("msgType", msgType);
    out.set("data", data);
    return out;
  }

  public static byte[] bytes(JsonNode n) {
    try {
      return CommandParser.JSON.writeValueAsBytes(n);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("JSON tree not serialisable", e);
    }
  }
}
