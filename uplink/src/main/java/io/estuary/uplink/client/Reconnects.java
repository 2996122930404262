package io.estuary.uplink.client;

import com.hivemq.client.mqtt.MqttClientSslConfig;
import com.hivemq.client.mqtt.MqttClientSslConfigBuilder;
import com.hivemq.client.mqtt.exceptions.ConnectionClosedException;
import com.hivemq.client.mqtt.exceptions.ConnectionFailedException;
import com.hivemq.client.mqtt.exceptions.MqttClientStateException;
import com.hivemq.client.mqtt.exceptions.MqttSessionExpiredException;
import com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedContext;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3DisconnectException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import io.estuary.tls.PemLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** Lifecycle glue shared by the v4 and v5 links: reconnect with backoff, TLS config, error text. */
final class Reconnects {
  private Reconnects() {}

  /** From the client's disconnected listener: schedule the next attempt unless stopping. */
  static void onDisconnected(MqttClientDisconnectedContext ctx, Backoff backoff, boolean stopping, LinkListener listener) {
    String reason = describe(ctx.getCause());
    if (stopping) {
      ctx.getReconnector().reconnect(false);
      listener.disconnected(reason, null);
      return;
    }
    Duration delay = backoff.delay(ctx.getReconnector().getAttempts(), ThreadLocalRandom.current()::nextDouble);
    ctx.getReconnector().reconnect(true).delay(delay.toMillis(), TimeUnit.MILLISECONDS);
    listener.disconnected(reason, delay);
  }

  /** What {@code load} returns; its failure names the config key and its value. */
  private static <T> T named(String key, String file, java.util.function.Supplier<T> load) {
    try {
      return load.get();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + " = \"" + file + "\": " + e.getMessage(), e);
    }
  }

  static MqttClientSslConfig ssl(TlsOptions t) {
    MqttClientSslConfigBuilder b = MqttClientSslConfig.builder();
    if (!t.cacertfile().isEmpty()) {
      b = b.trustManagerFactory(named(t.path() + ".cacertfile", t.cacertfile(), () -> PemLoader.trustManagers(Path.of(t.cacertfile()))));
    }
    if (!t.certfile().isEmpty()) {
      b = b.keyManagerFactory(named(t.path() + ".certfile", t.certfile(),
          () -> PemLoader.keyManagers(Path.of(t.certfile()), Path.of(t.keyfile()))));
    }
    if (!t.verifyHostname()) {
      b = b.hostnameVerifier((host, session) -> true);
    }
    return b.build();
  }

  /**
   * Sorts a failed publish: connection trouble becomes a {@link LinkDownException} (resend later);
   * anything else (packet too large for the upstream broker, an encoding problem) is a final refusal,
   * so one bad message cannot stall the forward stream.
   */
  static RemoteAck failure(Throwable t) {
    Throwable c = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    if (c instanceof ConnectionClosedException || c instanceof ConnectionFailedException
        || c instanceof MqttClientStateException || c instanceof MqttSessionExpiredException
        || c instanceof Mqtt5DisconnectException || c instanceof Mqtt3DisconnectException
        || c instanceof CancellationException) {
      throw new CompletionException(new LinkDownException(describe(c), c));
    }
    return RemoteAck.refused(describe(c));
  }

  static String describe(Throwable t) {
    if (t == null) {
      return "";
    }
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root && root.getMessage() == null) {
      root = root.getCause();
    }
    String msg = root.getMessage();
    return root.getClass().getSimpleName() + (msg == null ? "" : ": " + msg);
  }

  static long seconds(Duration d) {
    return Math.min(d.toSeconds(), 0xFFFF_FFFFL);
  }
}
