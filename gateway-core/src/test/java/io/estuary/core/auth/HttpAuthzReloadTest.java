package io.estuary.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import com.typesafe.config.ConfigFactory;
import io.estuary.api.ClientInfo;
import io.estuary.api.Message;
import io.estuary.api.Payload;
import io.estuary.api.hooks.PublishRequest;
import io.estuary.api.hooks.Verdict;
import io.estuary.core.config.ConfigLoader;
import io.estuary.core.config.GatewayConfig;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A reload re-reads authorization.http and the sources' order; the plugin built at start follows it. */
class HttpAuthzReloadTest {
  HttpServer server;
  final AtomicInteger asked = new AtomicInteger();
  String base;

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    for (String answer : new String[] {"allow", "deny"}) {
      server.createContext("/" + answer, ex -> {
        asked.incrementAndGet();
        byte[] b = ("{\"result\":\"" + answer + "\"}").getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(200, b.length);
        ex.getResponseBody().write(b);
        ex.close();
      });
    }
    server.start();
    base = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  static GatewayConfig config(String hocon) {
    return ConfigLoader.bind(ConfigFactory.parseString(hocon));
  }

  static Verdict<?> publish(HttpAuthzPlugin p, String topic) {
    ClientInfo c = ClientInfo.of("c1", "u1", "mqtt", null);
    return p.authOnPublish(new PublishRequest(c, Message.of(topic, Payload.utf8("x"), 1, false)))
        .toCompletableFuture().join();
  }

  @Test
  void a_reload_moves_the_url_and_dropping_http_passes_every_call_on() {
    GatewayConfig first = config("authorization { sources = [http], http.url = \"" + base + "/deny\" }");
    try (AuthSetup setup = new AuthSetup(first.auth(), first.raw(), Clock.systemUTC())) {
      HttpAuthzPlugin p = setup.httpAuthz(first.raw());
      assertThat(publish(p, "t").isError()).isTrue();

      GatewayConfig second = config("authorization { sources = [http], http.url = \"" + base + "/allow\" }");
      setup.reload(second.auth(), second.raw());
      assertThat(publish(p, "t").isOk()).isTrue();

      GatewayConfig third = config("""
          authorization {
            sources = [built_in, http]
            rules = [{ permission = deny, who = "all", action = publish, topics = ["ruled/#"] }]
            http.url = "%s/allow"
          }
          """.formatted(base));
      setup.reload(third.auth(), third.raw());
      int before = asked.get();
      assertThat(publish(p, "ruled/x").isError()).as("the rule listed first decides").isTrue();
      assertThat(asked.get()).isEqualTo(before);

      GatewayConfig fourth = config("authorization { sources = [built_in] }");
      setup.reload(fourth.auth(), fourth.raw());
      assertThat(publish(p, "t").isNext()).isTrue();
      assertThat(asked.get()).isEqualTo(before);
    }
  }
}
