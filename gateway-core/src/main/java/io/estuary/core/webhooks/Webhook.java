package io.estuary.core.webhooks;

import io.estuary.api.hooks.HookName;
import java.net.URI;
import java.util.Locale;

/**
 * One registration: a hook and the endpoint it is posted to (VerneMQ's {@code vmq_webhooks.<name>.hook},
 * {@code .endpoint}, {@code base64payload}, {@code no_payload}).
 *
 * @param wireName the hook as registered ("auth_on_publish" or "auth_on_publish_m5": the _m5 name adds
 *     the {@code properties} field)
 * @param base64payload payloads travel base64-encoded, both ways (VerneMQ's default: true)
 * @param noPayload leave the payload out of auth_on_publish and on_deliver requests
 */
public record Webhook(String wireName, URI endpoint, boolean base64payload, boolean noPayload) {
  public Webhook {
    wireName = wireName.toLowerCase(Locale.ROOT);
    HookName.of(wireName); // validates
    String scheme = endpoint.getScheme();
    if (scheme == null || !(scheme.equals("http") || scheme.equals("https")) || endpoint.getHost() == null) {
      throw new IllegalArgumentException("endpoint must be an http(s) URL, was " + endpoint);
    }
  }

  /** What makes a registration one: its hook as registered (any case) and its endpoint; the options are not part of it. */
  public static Object pair(String wireName, URI endpoint) {
    return java.util.List.of(wireName.toLowerCase(Locale.ROOT), endpoint);
  }

  /** {@link #pair(String, URI)} of this registration. */
  public Object pair() {
    return pair(wireName, endpoint);
  }

  public HookName hook() {
    return HookName.of(wireName);
  }

  public boolean m5() {
    return wireName.endsWith("_m5");
  }
}
