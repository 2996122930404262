package io.estuary.core.management;

import java.util.List;
import java.util.Map;

/** One management API call without Netty types: method, decoded path, query parameters, body. Immutable. */
record ApiRequest(String method, String path, Map<String, List<String>> params, String body) {
  ApiRequest {
    params = Map.copyOf(params);
    body = body == null ? "" : body;
  }

  /** The first value of query parameter {@code name}, or null. */
  String param(String name) {
    List<String> v = params.get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  /** An integer parameter in {@code [min, max]}, {@code dflt} when absent; else 400 BAD_REQUEST. */
  int intParam(String name, int dflt, int min, int max) {
    String v = param(name);
    if (v == null || v.isEmpty()) {
      return dflt;
    }
    try {
      int n = Integer.parseInt(v);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw ApiException.badRequest(name + " must be an integer " + min + ".." + max + ", was " + v);
  }
}
