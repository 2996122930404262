package io.estuary.core.management;

import com.fasterxml.jackson.databind.JsonNode;
import io.estuary.api.ClientInfo;
import io.estuary.api.Message;
import io.estuary.api.MessageProperties;
import io.estuary.api.Payload;
import io.estuary.api.PublishOutcome;
import io.estuary.core.session.Broker;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Messages in EMQX's shapes: the retainer ({@code /mqtt/retainer/messages}, {@code /mqtt/retainer/message/{topic}}
 * get and delete; also under {@code /retainer/...}) and {@code POST /publish}. Stateless.
 */
final class MessagesResource {
  /** The publisher the API's messages carry unless the body names a {@code clientid}: reserved, as adapters' own ids are. */
  static final String API_CLIENT = "$api/http";
  private final Broker broker;

  MessagesResource(Broker broker) {
    this.broker = broker;
  }

  ApiResponse retained(ApiRequest r) {
    String topic = r.param("topic");
    List<Map<String, Object>> all = broker.retainedMessages().stream()
        .filter(m -> topic == null || io.estuary.api.topic.Topics.matches(topic, m.topic()))
        .sorted(Comparator.comparing(Message::topic))
        .map(m -> retainedJson(m, false)).toList();
    return ApiResponse.ok(Paging.page(all, r));
  }

  ApiResponse retainedOne(String topic) {
    Message m = broker.retainedMessages().stream().filter(x -> x.topic().equals(topic)).findFirst()
        .orElseThrow(() -> ApiException.notFound("NOT_FOUND", "Viewed message doesn't exist: " + topic));
    return ApiResponse.ok(retainedJson(m, true));
  }

  ApiResponse deleteRetained(String topic) {
    if (!broker.deleteRetained(topic)) {
      throw ApiException.notFound("NOT_FOUND", "Retained message not found: " + topic);
    }
    return ApiResponse.noContent();
  }

  private static Map<String, Object> retainedJson(Message m, boolean payload) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("topic", m.topic());
    o.put("qos", m.qos());
    if (payload) {
      o.put("payload", Base64.getEncoder().encodeToString(m.payload().toByteArray()));
    }
    String from = m.publisher();
    o.put("from_clientid", from);
    o.put("from_username", null);
    o.put("publish_at", ClientsResource.time(m.createdAtMillis()));
    return o;
  }

  /**
   * {@code POST /publish {topic, payload, qos, retain, payload_encoding: plain|base64}}: 200 {@code {id}} when
   * routed, 202 {@code {reason_code: 16, message}} with no matching subscriber (EMQX 5), 400/403 otherwise.
   */
  ApiResponse publish(ApiRequest r) {
    JsonNode body;
    try {
      body = ApiResponse.JSON.readTree(r.body());
    } catch (Exception e) {
      throw ApiException.badRequest("the body must be JSON: " + e.getMessage());
    }
    if (body == null || !body.hasNonNull("topic") || body.get("topic").asText().isEmpty()) {
      throw ApiException.badRequest("topic is required");
    }
    int qos = body.path("qos").asInt(0);
    if (qos < 0 || qos > 2) {
      throw ApiException.badRequest("qos must be 0, 1 or 2");
    }
    String text = body.path("payload").asText("");
    String encoding = body.path("payload_encoding").asText("plain");
    byte[] bytes;
    if (encoding.equals("base64")) {
      try {
        bytes = Base64.getDecoder().decode(text);
      } catch (IllegalArgumentException e) {
        throw ApiException.badRequest("payload is not base64");
      }
    } else if (encoding.equals("plain")) {
      bytes = text.getBytes(StandardCharsets.UTF_8);
    } else {
      throw ApiException.badRequest("payload_encoding must be plain or base64");
    }
    boolean named = body.hasNonNull("clientid");
    String clientId = named ? body.get("clientid").asText() : API_CLIENT;
    Message m = new Message(body.get("topic").asText(), Payload.wrapOwned(bytes), qos, body.path("retain").asBoolean(false),
        MessageProperties.NONE, broker.clock().millis());
    PublishOutcome out;
    try {
      out = broker.publish(ClientInfo.of(clientId, null, "api", null), m, named ? null : "api").toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(503, "SERVICE_UNAVAILABLE", "interrupted");
    } catch (Exception e) {
      throw new ApiException(503, "SERVICE_UNAVAILABLE", "publish did not complete: " + e);
    }
    String id = UUID.randomUUID().toString().replace("-", ""); // 32 hex digits, as EMQX's message ids
    return switch (out.status()) {
      case OK -> ApiResponse.ok(Map.of("id", id));
      case NO_MATCHING_SUBSCRIBERS -> ApiResponse.json(202, Map.of("id", id, "reason_code", 16, "message", "no_matching_subscribers"));
      case NOT_AUTHORIZED -> ApiResponse.error(403, "NOT_AUTHORIZED", "the ACL does not allow publishing to " + m.topic());
      case TOPIC_NAME_INVALID -> ApiResponse.error(400, "BAD_REQUEST", "invalid topic name " + m.topic());
      default -> ApiResponse.error(400, "BAD_REQUEST", "not published: " + out.status());
    };
  }
}
