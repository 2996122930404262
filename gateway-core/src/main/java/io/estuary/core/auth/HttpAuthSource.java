package io.estuary.core.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import io.estuary.api.AuthResult;
import io.estuary.api.ClientCredentials;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code http} in {@code authentication.sources}: EMQX 5's HTTP authentication. The service answers 200 with
 * {@code {"result":"allow"|"deny"|"ignore", "is_superuser":…}} (204: allow); allow admits, deny refuses (bad
 * credentials), ignore passes to the next source. Any other status, an unreadable body or a failed request is
 * ignore, as in EMQX. Blocking: the chain calls it on its auth threads. Thread-safe.
 */
final class HttpAuthSource implements AuthSource {
  private static final Logger LOG = LoggerFactory.getLogger(HttpAuthSource.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpRequestTemplate request;
  private final HttpClient http;

  HttpAuthSource(Config c, HttpClient http) {
    this.request = new HttpRequestTemplate(c, "authentication.http");
    this.http = http;
  }

  @Override
  public String name() {
    return "http";
  }

  @Override
  public AuthResult check(ClientCredentials c) {
    Map<String, String> v = new HashMap<>();
    v.put("username", c.username());
    v.put("clientid", c.clientId());
    v.put("password", c.password() == null ? null : new String(c.password(), StandardCharsets.UTF_8));
    v.put("peerhost", c.peer() == null || c.peer().getAddress() == null ? null : c.peer().getAddress().getHostAddress());
    v.put("protocol", c.protocol());
    v.put("cert_common_name", c.certificateSubject());
    try {
      HttpResponse<String> r = http.send(request.build(v), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 204) {
        return AuthResult.allowed();
      }
      if (r.statusCode() != 200) {
        LOG.debug("http authentication of {}: HTTP {}, ignored", c.clientId(), r.statusCode());
        return null;
      }
      JsonNode b = JSON.readTree(r.body());
      String result = b.path("result").asText("");
      boolean superuser = b.path("is_superuser").asBoolean(false);
      return switch (result) {
        case "allow" -> superuser ? AuthResult.allowedSuperuser() : AuthResult.allowed();
        case "deny" -> AuthResult.badCredentials("denied by the http source");
        default -> null;
      };
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (Exception e) {
      LOG.debug("http authentication of {} failed: {}, ignored", c.clientId(), e.toString());
      return null;
    }
  }
}
