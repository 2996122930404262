package io.estuary.core.auth;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import io.estuary.core.config.ConfigError;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * EMQX's HTTP request shape for authentication and authorization: {@code method} (get: the body's fields as
 * query parameters; post: a JSON body), {@code url}, {@code headers}, {@code body} whose values may hold the
 * placeholders {@code ${username}}, {@code ${clientid}}, {@code ${password}}, {@code ${peerhost}},
 * {@code ${protocol}}, {@code ${topic}}, {@code ${action}}. Immutable.
 */
final class HttpRequestTemplate {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final boolean post;
  private final URI url;
  private final Map<String, String> headers;
  private final Map<String, String> body;
  private final Duration timeout;

  HttpRequestTemplate(Config c, String key) {
    String m = c.getString("method").toLowerCase(java.util.Locale.ROOT);
    if (!m.equals("get") && !m.equals("post")) {
      throw new ConfigError(key + ".method", m, "get or post");
    }
    this.post = m.equals("post");
    String u = c.getString("url");
    if (!u.startsWith("http://") && !u.startsWith("https://")) {
      throw new ConfigError(key + ".url", u, "an http(s) URL");
    }
    this.url = URI.create(u);
    this.headers = strings(c.getConfig("headers"));
    this.body = strings(c.getConfig("body"));
    this.timeout = c.getDuration("timeout");
  }

  private static Map<String, String> strings(Config c) {
    Map<String, String> out = new LinkedHashMap<>();
    c.root().forEach((k, v) -> out.put(k, String.valueOf(v.unwrapped())));
    return out;
  }

  Duration timeout() {
    return timeout;
  }

  /** The request with the placeholders of {@code values} (name without ${}) filled in; absent values are "". */
  HttpRequest build(Map<String, String> values) {
    Map<String, String> filled = new LinkedHashMap<>();
    body.forEach((k, v) -> filled.put(k, fill(v, values)));
    HttpRequest.Builder b;
    if (post) {
      ObjectNode o = JSON.createObjectNode();
      filled.forEach(o::put);
      b = HttpRequest.newBuilder(url).POST(HttpRequest.BodyPublishers.ofString(o.toString()))
          .header("content-type", "application/json");
    } else {
      StringBuilder q = new StringBuilder(url.toString()).append(url.getQuery() == null ? '?' : '&');
      filled.forEach((k, v) -> q.append(enc(k)).append('=').append(enc(v)).append('&'));
      q.setLength(q.length() - 1);
      b = HttpRequest.newBuilder(URI.create(q.toString())).GET();
    }
    headers.forEach((k, v) -> b.header(k, fill(v, values)));
    return b.timeout(timeout).build();
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  static String fill(String template, Map<String, String> values) {
    String out = template;
    for (Map.Entry<String, String> e : values.entrySet()) {
      out = out.replace("${" + e.getKey() + "}", e.getValue() == null ? "" : e.getValue());
    }
    return out;
  }
}
