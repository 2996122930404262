package io.estuary.lua;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.estuary.api.ClientInfo;
import io.estuary.api.Message;
import io.estuary.api.Payload;
import io.estuary.api.Subscription;
import io.estuary.api.hooks.PublishModifiers;
import io.estuary.api.hooks.PublishRequest;
import io.estuary.api.hooks.RegisterRequest;
import io.estuary.api.hooks.SubscribeModifiers;
import io.estuary.api.hooks.SubscribeRequest;
import io.estuary.api.hooks.Verdict;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/** Writes scripts into a directory, starts a {@link LuaPlugin} on them and asks it hooks synchronously. */
final class LuaFixture implements AutoCloseable {
  final Path dir;
  final LuaPlugin plugin = new LuaPlugin();
  final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Map<String, String> settings = new HashMap<>();

  LuaFixture(Path dir) {
    this.dir = dir;
    settings.put("script_path", dir.toString());
    settings.put("call_timeout", "300ms");
    settings.put("bcrypt.default_log_rounds", "4");
    logs.start();
    ((Logger) LoggerFactory.getLogger(LuaPlugin.class)).addAppender(logs);
  }

  LuaFixture set(String key, String value) {
    settings.put(key, value);
    return this;
  }

  LuaFixture script(String name, String source) throws IOException {
    Path f = dir.resolve(name);
    Files.createDirectories(f.getParent());
    Files.writeString(f, source, StandardCharsets.UTF_8);
    String s = settings.getOrDefault("scripts", "");
    if (!s.contains(name)) {
      settings.put("scripts", s.isEmpty() ? name : s + "," + name);
    }
    return this;
  }

  LuaFixture start() {
    plugin.start(settings);
    return this;
  }

  static ClientInfo client(String id, String user) {
    return new ClientInfo(id, user, "mqtt", "tcp:default", new InetSocketAddress("127.0.0.1", 40000), "");
  }

  Verdict<io.estuary.api.hooks.RegisterModifiers> register(String id, String user, String password) throws Exception {
    return register(id, user, password, null);
  }

  /** A register whose transport proved {@code identity} (DTLS PSK identity, certificate CN), or null. */
  Verdict<io.estuary.api.hooks.RegisterModifiers> register(String id, String user, String password, String identity)
      throws Exception {
    return plugin.authOnRegister(new RegisterRequest(client(id, user),
        password == null ? null : password.getBytes(StandardCharsets.UTF_8), List.of(), identity))
        .toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  Verdict<PublishModifiers> publish(String id, String user, String topic, String payload) throws Exception {
    return plugin.authOnPublish(new PublishRequest(client(id, user), Message.of(topic, Payload.utf8(payload), 1, false)))
        .toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  Verdict<SubscribeModifiers> subscribe(String id, String user, String... filters) throws Exception {
    return plugin.authOnSubscribe(new SubscribeRequest(client(id, user),
        java.util.Arrays.stream(filters).map(f -> Subscription.of(f, 1)).toList())).toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  List<String> warnings() {
    return logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  @Override
  public void close() {
    plugin.stop();
    ((Logger) LoggerFactory.getLogger(LuaPlugin.class)).detachAppender(logs);
  }
}
