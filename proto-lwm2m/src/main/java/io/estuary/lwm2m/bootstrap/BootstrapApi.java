package io.estuary.lwm2m.bootstrap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.estuary.api.AdapterApi;
import java.io.IOException;

/**
 * The LwM2M gateway's management resources ({@code /api/v5/gateways/lwm2m/...}): the bootstrap configs of
 * single endpoints.
 * <pre>
 * GET    /bootstrap/configs             every config (API ones first, then the configuration file's; keys hidden)
 * GET    /bootstrap/configs/{endpoint}  the API's config of one endpoint
 * PUT    /bootstrap/configs/{endpoint}  {"security":"psk","psk_key":"...","lifetime":300,"queue_mode":false}
 *                                      (security none, psk or rpk: x509 and fixed device keys only in the file)
 * DELETE /bootstrap/configs/{endpoint}
 * </pre>
 * Thread-safe: any management API thread.
 */
public final class BootstrapApi implements AdapterApi {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CONFIGS = "/bootstrap/configs";

  private final BootstrapConfigs configs;

  /** {@code configs} null: the bootstrap server is off (every call is 404 saying so). */
  public BootstrapApi(BootstrapConfigs configs) {
    this.configs = configs;
  }

  @Override
  public Response handle(Request r) {
    String path = r.path().endsWith("/") && r.path().length() > 1 ? r.path().substring(0, r.path().length() - 1) : r.path();
    if (!path.equals(CONFIGS) && !path.startsWith(CONFIGS + "/")) {
      return Response.error(404, "NOT_FOUND", "no such resource: " + r.method() + " " + r.path());
    }
    if (configs == null) {
      return Response.error(404, "NOT_FOUND", "the bootstrap server is off (gateway.lwm2m.bootstrap.enable)");
    }
    if (path.equals(CONFIGS)) {
      return r.method().equals("GET") ? new Response(200, "{\"data\":" + configs.list() + "}")
          : Response.error(405, "METHOD_NOT_ALLOWED", r.method() + " " + r.path());
    }
    String ep = path.substring(CONFIGS.length() + 1);
    if (ep.isEmpty() || ep.contains("/")) {
      return Response.error(404, "NOT_FOUND", "no such resource: " + r.method() + " " + r.path());
    }
    return switch (r.method()) {
      case "GET" -> {
        BootstrapEntry e = configs.apiEntry(ep);
        yield e == null ? Response.error(404, "NOT_FOUND", "no bootstrap config set through the API for " + ep)
            : new Response(200, e.toJson(false).toString());
      }
      case "PUT" -> put(ep, r);
      case "DELETE" -> configs.remove(ep) ? new Response(204, "")
          : Response.error(404, "NOT_FOUND", "no bootstrap config set through the API for " + ep);
      default -> Response.error(405, "METHOD_NOT_ALLOWED", r.method() + " " + r.path());
    };
  }

  private Response put(String ep, Request r) {
    BootstrapEntry e;
    try {
      JsonNode body = JSON.readTree(r.body());
      e = BootstrapEntry.fromJson(ep, body);
    } catch (IOException | IllegalArgumentException x) {
      return Response.error(400, "BAD_REQUEST", x.getMessage() == null ? x.toString() : x.getMessage());
    }
    if (!configs.put(e)) {
      return Response.error(409, "CONFLICT", "too many bootstrap configs (" + BootstrapConfigs.MAX_API_ENTRIES + ")");
    }
    return new Response(200, e.toJson(false).toString());
  }
}
