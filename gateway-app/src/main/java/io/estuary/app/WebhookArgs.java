package io.estuary.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code key=value} arguments of {@code estuary ctl webhooks}, as {@code vmq-admin webhooks} takes them (a leading "--" is allowed). */
final class WebhookArgs {
  private WebhookArgs() {
  }

  static Map<String, String> parse(List<String> args) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String a : args) {
      String s = a.startsWith("--") ? a.substring(2) : a;
      int eq = s.indexOf('=');
      if (eq > 0) {
        String v = s.substring(eq + 1);
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
          v = v.substring(1, v.length() - 1);
        }
        out.put(s.substring(0, eq), v);
      }
    }
    return out;
  }

  static String json(Map<String, String> kv) {
    ObjectNode o = new ObjectMapper().createObjectNode();
    o.put("hook", kv.get("hook"));
    o.put("endpoint", kv.get("endpoint"));
    if (kv.containsKey("base64payload")) {
      o.put("base64payload", Boolean.parseBoolean(kv.get("base64payload")));
    }
    if (kv.containsKey("no_payload")) {
      o.put("no_payload", Boolean.parseBoolean(kv.get("no_payload")));
    }
    return o.toString();
  }
}
