package io.estuary.core.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.estuary.api.ClientInfo;
import io.estuary.api.Message;
import io.estuary.api.Payload;
import io.estuary.api.Subscription;
import io.estuary.api.UserProperty;
import io.estuary.api.hooks.ClientEvent;
import io.estuary.api.hooks.DeliverModifiers;
import io.estuary.api.hooks.PublishModifiers;
import io.estuary.api.hooks.RegisterModifiers;
import io.estuary.api.hooks.SubscribeModifiers;
import io.estuary.api.hooks.Verdict;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSON of vmq_webhooks: request bodies with VerneMQ's field names ({@code peer_addr}, {@code client_id},
 * {@code mountpoint}, {@code topic}, {@code payload}, {@code topics: [{topic, qos}]}, ...; plus
 * {@code protocol}, which VerneMQ has not) and answers ({@code {"result":"ok"}}, {@code {"result":"next"}},
 * {@code {"result":{"error":…}}}, {@code modifiers}, and {@code topics} for auth_on_subscribe). Stateless.
 */
final class WebhookJson {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookJson.class);

  static final ObjectMapper JSON = new ObjectMapper();

  private WebhookJson() {
  }

  static ObjectNode client(ClientInfo c) {
    ObjectNode o = JSON.createObjectNode();
    if (c.peer() != null) {
      o.put("peer_addr", c.peer().getAddress() != null ? c.peer().getAddress().getHostAddress() : c.peer().getHostString());
      o.put("peer_port", c.peer().getPort());
    }
    o.put("username", c.username());
    o.put("mountpoint", c.mountpoint());
    o.put("client_id", c.clientId());
    o.put("protocol", c.protocol());
    return o;
  }

  static String payload(Payload p, Webhook w) {
    return w.base64payload() ? Base64.getEncoder().encodeToString(p.toByteArray()) : p.asUtf8();
  }

  static ObjectNode message(ObjectNode o, Message m, Webhook w, boolean withPayload) {
    o.put("topic", m.topic());
    o.put("qos", m.qos());
    o.put("retain", m.retain());
    if (withPayload && !w.noPayload()) {
      o.put("payload", payload(m.payload(), w));
    }
    if (w.m5()) {
      ObjectNode props = o.putObject("properties");
      if (m.properties().messageExpiryInterval() != null) {
        props.put("p_message_expiry_interval", m.properties().messageExpiryInterval());
      }
      if (m.properties().contentType() != null) {
        props.put("p_content_type", m.properties().contentType());
      }
      if (m.properties().responseTopic() != null) {
        props.put("p_response_topic", m.properties().responseTopic());
      }
      if (!m.properties().userProperties().isEmpty()) {
        ArrayNode up = props.putArray("p_user_property");
        for (UserProperty u : m.properties().userProperties()) {
          up.addArray().add(u.name()).add(u.value());
        }
      }
    }
    return o;
  }

  static ObjectNode register(ClientInfo c, byte[] password, Webhook w) {
    ObjectNode o = client(c);
    o.put("password", password == null ? null : new String(password, StandardCharsets.UTF_8));
    o.put("clean_session", true); // not known at authentication time: VerneMQ's field, always true here
    if (w.m5()) {
      o.put("clean_start", true);
      o.putObject("properties");
    }
    return o;
  }

  static ObjectNode subscribe(ClientInfo c, List<Subscription> subs) {
    ObjectNode o = client(c);
    ArrayNode topics = o.putArray("topics");
    for (Subscription s : subs) {
      topics.addObject().put("topic", s.filter().value()).put("qos", s.qos());
    }
    return o;
  }

  /** The body of a notification, or null when the event has no client and no id (never). */
  static ObjectNode event(ClientEvent e, Webhook w) {
    ObjectNode o = e.client() != null ? client(e.client()) : JSON.createObjectNode().put("client_id", e.clientId()).put("mountpoint", "");
    if (e instanceof ClientEvent.Published p) {
      message(o, p.message(), w, true);
    } else if (e instanceof ClientEvent.OfflineMessage m) {
      message(o, m.message(), w, true);
    } else if (e instanceof ClientEvent.Subscribed s) {
      ArrayNode topics = o.putArray("topics");
      s.granted().forEach(t -> topics.addObject().put("topic", t.filter()).put("qos", t.qos()));
    } else if (e instanceof ClientEvent.Unsubscribed u) {
      ArrayNode topics = o.putArray("topics");
      u.filters().forEach(topics::add);
    } else if (e instanceof ClientEvent.Offline off) {
      o.put("reason", off.reason().name().toLowerCase(java.util.Locale.ROOT));
    } else if (e instanceof ClientEvent.Gone g) {
      o.put("reason", g.reason().name().toLowerCase(java.util.Locale.ROOT));
    }
    return o;
  }

  // ---- answers ----------------------------------------------------------------------------------

  /** ok / next / error without reading modifiers; null when the body is no vmq_webhooks answer. */
  static <M> Verdict<M> kind(JsonNode body) {
    JsonNode r = body == null ? null : body.get("result");
    if (r == null) {
      return null;
    }
    if (r.isTextual() && r.asText().equals("ok")) {
      return Verdict.ok();
    }
    if (r.isTextual() && r.asText().equals("next")) {
      return Verdict.next();
    }
    if (r.isObject() && r.has("error")) {
      JsonNode e = r.get("error");
      return Verdict.error(e.isTextual() ? e.asText() : e.toString());
    }
    return null;
  }

  static PublishModifiers publishModifiers(JsonNode body, Webhook w) {
    JsonNode m = body.get("modifiers");
    if (m == null || !m.isObject()) {
      return null;
    }
    return new PublishModifiers(text(m, "topic"), m.hasNonNull("payload") ? decode(m.get("payload").asText(), w) : null,
        m.hasNonNull("qos") ? m.get("qos").asInt() : null, m.hasNonNull("retain") ? m.get("retain").asBoolean() : null,
        text(m, "mountpoint"));
  }

  /**
   * auth_on_register's {@code modifiers}: {@code mountpoint} and {@code client_id} (VerneMQ's subscriber id, also
   * taken as {@code subscriber_id: [mountpoint, client_id]}); other register modifiers are logged and ignored.
   */
  static RegisterModifiers registerModifiers(JsonNode body, Webhook w) {
    JsonNode m = body.get("modifiers");
    if (m == null || !m.isObject()) {
      return null;
    }
    String mountpoint = text(m, "mountpoint");
    String clientId = text(m, "client_id");
    JsonNode sid = m.get("subscriber_id");
    if (sid != null && sid.isArray() && sid.size() == 2) {
      mountpoint = mountpoint != null ? mountpoint : sid.get(0).asText();
      clientId = clientId != null ? clientId : sid.get(1).asText();
    }
    m.fieldNames().forEachRemaining(f -> {
      if (!f.equals("mountpoint") && !f.equals("client_id") && !f.equals("subscriber_id")) {
        LOG.debug("webhook {} -> {}: register modifier {} is not supported, ignored", w.wireName(), w.endpoint(), f);
      }
    });
    return clientId != null && clientId.isEmpty() ? new RegisterModifiers(mountpoint, null)
        : new RegisterModifiers(mountpoint, clientId);
  }

  static DeliverModifiers deliverModifiers(JsonNode body, Webhook w) {
    JsonNode m = body.get("modifiers");
    if (m == null || !m.isObject()) {
      return null;
    }
    return new DeliverModifiers(text(m, "topic"), m.hasNonNull("payload") ? decode(m.get("payload").asText(), w) : null);
  }

  /** VerneMQ answers auth_on_subscribe modifiers as a top-level {@code topics} list; {@code modifiers.topics} is taken too. */
  static SubscribeModifiers subscribeModifiers(JsonNode body) {
    JsonNode t = body.get("topics");
    if (t == null && body.has("modifiers")) {
      t = body.get("modifiers").get("topics");
    }
    if (t == null || !t.isArray()) {
      return null;
    }
    List<SubscribeModifiers.Topic> out = new ArrayList<>();
    for (JsonNode n : t) {
      if (n.isArray() && n.size() == 2) {
        out.add(new SubscribeModifiers.Topic(n.get(0).asText(), n.get(1).asInt())); // [[topic, qos]]
      } else {
        out.add(new SubscribeModifiers.Topic(n.get("topic").asText(), n.get("qos").asInt()));
      }
    }
    return new SubscribeModifiers(out);
  }

  private static String text(JsonNode m, String field) {
    return m.hasNonNull(field) ? m.get(field).asText() : null;
  }

  private static Payload decode(String s, Webhook w) {
    return w.base64payload() ? Payload.wrapOwned(Base64.getDecoder().decode(s)) : Payload.utf8(s);
  }
}
