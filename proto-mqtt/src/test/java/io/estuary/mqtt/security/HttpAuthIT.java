package io.estuary.mqtt.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.estuary.testkit.TestGateway;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** HTTP authentication and authorization with EMQX's request shapes and answers, against a test server. */
@Timeout(60)
class HttpAuthIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final List<JsonNode> authn = new CopyOnWriteArrayList<>();
  static final List<JsonNode> authz = new CopyOnWriteArrayList<>();
  static HttpServer server;
  static TestGateway gw;

  static void reply(HttpExchange ex, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("content-type", "application/json");
    ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
    if (b.length > 0) {
      ex.getResponseBody().write(b);
    }
    ex.close();
  }

  @BeforeAll
  static void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/authn", ex -> {
      JsonNode b = JSON.readTree(ex.getRequestBody());
      authn.add(b);
      switch (b.path("password").asText()) {
        case "good" -> reply(ex, 200, "{\"result\":\"allow\",\"is_superuser\":false}");
        case "bad" -> reply(ex, 200, "{\"result\":\"deny\"}");
        case "broken" -> reply(ex, 500, "");
        default -> reply(ex, 200, "{\"result\":\"ignore\"}");
      }
    });
    server.createContext("/authz", ex -> {
      JsonNode b = JSON.readTree(ex.getRequestBody());
      authz.add(b);
      reply(ex, 200, b.path("topic").asText().startsWith("secret/") ? "{\"result\":\"deny\"}" : "{\"result\":\"allow\"}");
    });
    server.start();
    String base = "http://127.0.0.1:" + server.getAddress().getPort();
    gw = TestGateway.builder().config("""
        authentication {
          allow_anonymous = false
          sources = [http]
          http {
            url = "%1$s/authn"
            body { username = "${username}", password = "${password}", clientid = "${clientid}",
                   peerhost = "${peerhost}", protocol = "${protocol}" }
          }
        }
        authorization {
          sources = [http, built_in]
          http.url = "%1$s/authz"
        }
        """.formatted(base)).start();
  }

  @AfterAll
  static void stop() {
    gw.close();
    server.stop(0);
  }

  static Mqtt5BlockingClient connect(String id, String password) {
    var c = Mqtt5Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(gw.mqttPort()).buildBlocking();
    c.connectWith().simpleAuth().username("u-" + id).password(password.getBytes()).applySimpleAuth().send();
    return c;
  }

  static Mqtt5ConnAckReasonCode refused(String id, String password) {
    return catchThrowableOfType(() -> connect(id, password), Mqtt5ConnAckException.class).getMqttMessage().getReasonCode();
  }

  @Test
  void allow_admits_deny_refuses_and_ignore_or_a_failing_service_leaves_the_client_unknown() {
    connect("h1", "good").disconnect();
    assertThat(refused("h2", "bad")).isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD);
    assertThat(refused("h3", "whatever")).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
    assertThat(refused("h4", "broken")).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
    JsonNode first = authn.stream().filter(b -> b.path("clientid").asText().equals("h1")).findFirst().orElseThrow();
    assertThat(first.path("username").asText()).isEqualTo("u-h1");
    assertThat(first.path("peerhost").asText()).isEqualTo("127.0.0.1");
    assertThat(first.path("protocol").asText()).isEqualTo("mqtt");
  }

  @Test
  void the_service_decides_publishes_and_subscriptions_by_topic_and_action() {
    var c = connect("h5", "good");
    var pub = catchThrowableOfType(() -> c.publishWith().topic("secret/x").qos(MqttQos.AT_LEAST_ONCE).send(),
        Mqtt5PubAckException.class);
    assertThat(pub.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
    c.publishWith().topic("open/x").qos(MqttQos.AT_LEAST_ONCE).send();
    var sub = catchThrowableOfType(() -> c.subscribeWith()
        .addSubscription().topicFilter("secret/#").applySubscription()
        .addSubscription().topicFilter("open/#").applySubscription().send(), Mqtt5SubAckException.class);
    assertThat(sub.getMqttMessage().getReasonCodes()).containsExactly(Mqtt5SubAckReasonCode.NOT_AUTHORIZED,
        Mqtt5SubAckReasonCode.GRANTED_QOS_2); // hivemq's default subscription QoS
    assertThat(authz).anyMatch(b -> b.path("action").asText().equals("publish") && b.path("topic").asText().equals("secret/x")
        && b.path("clientid").asText().equals("h5"));
    assertThat(authz).anyMatch(b -> b.path("action").asText().equals("subscribe") && b.path("topic").asText().equals("open/#"));
    c.disconnect();
  }

  @Test
  void sources_listed_before_http_decide_first_and_the_service_is_not_asked_for_what_they_match() throws Exception {
    String base = "http://127.0.0.1:" + server.getAddress().getPort();
    try (var ordered = TestGateway.builder().config("""
        authentication {
          allow_anonymous = false
          sources = [http]
          http.url = "%1$s/authn"
        }
        authorization {
          sources = [built_in, http]
          rules = [
            { permission = allow, who = "all", action = publish, topics = ["secret/ruled/#"] }
            { permission = deny, who = "all", action = publish, topics = ["open/ruled/#"] }
          ]
          http.url = "%1$s/authz"
        }
        """.formatted(base)).start()) {
      var c = Mqtt5Client.builder().identifier("h-order").serverHost("127.0.0.1").serverPort(ordered.mqttPort()).buildBlocking();
      c.connectWith().simpleAuth().username("u-order").password("good".getBytes()).applySimpleAuth().send();
      // the rule allows what the service would deny, and denies what the service would allow
      c.publishWith().topic("secret/ruled/x").qos(MqttQos.AT_LEAST_ONCE).send();
      var denied = catchThrowableOfType(() -> c.publishWith().topic("open/ruled/x").qos(MqttQos.AT_LEAST_ONCE).send(),
          Mqtt5PubAckException.class);
      assertThat(denied.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
      // no rule matches: the service decides
      var byService = catchThrowableOfType(() -> c.publishWith().topic("secret/other").qos(MqttQos.AT_LEAST_ONCE).send(),
          Mqtt5PubAckException.class);
      assertThat(byService.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
      c.disconnect();
      assertThat(authz).anyMatch(b -> b.path("clientid").asText().equals("h-order") && b.path("topic").asText().equals("secret/other"));
      assertThat(authz).noneMatch(b -> b.path("clientid").asText().equals("h-order") && b.path("topic").asText().contains("/ruled/"));
    }
  }
}
