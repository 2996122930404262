package io.estuary.uplink;

import io.estuary.api.AdapterStatus;
import io.estuary.api.GatewayContext;
import io.estuary.api.ProtocolAdapter;
import io.estuary.api.topic.Topics;
import io.estuary.uplink.client.LinkOptions;
import io.estuary.uplink.mapping.ForwardRule;
import io.estuary.uplink.mapping.SubscriptionRule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** All enabled uplinks of one gateway. start/stop come from the gateway's main thread. */
final class UplinkAdapter implements ProtocolAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(UplinkAdapter.class);

  private final List<Uplink> uplinks = new ArrayList<>();
  private volatile AdapterStatus status = AdapterStatus.STOPPED;

  UplinkAdapter(List<UplinkConfig> configs, GatewayContext context) {
    for (UplinkConfig c : configs) {
      warnAboutV4Echo(c, context.nodeName());
      uplinks.add(new Uplink(c, context));
    }
  }

  /** MQTT 3.1.1 has no No Local: forwarded topics inside a subscribed filter come straight back. */
  private static void warnAboutV4Echo(UplinkConfig c, String node) {
    if (c.protoVer() != LinkOptions.MqttVersion.V4) {
      return;
    }
    for (ForwardRule f : c.forwards()) {
      for (SubscriptionRule s : c.subscriptions()) {
        String forwarded = f.remoteTopic().asFilter(node);
        if (Topics.overlaps(forwarded, s.remoteFilter())) {
          LOG.warn("uplink {}: forwards to {} overlap the subscription {}; with proto_ver = v4 the upstream echoes them"
              + " back (published here once more, never forwarded again). Use distinct topic prefixes (docs/uplink.md).",
              c.name(), f.remoteTopic(), s.remoteFilter());
        }
      }
    }
  }

  @Override
  public CompletionStage<Void> start() {
    status = AdapterStatus.STARTING;
    CompletableFuture<?>[] all = uplinks.stream().map(u -> u.start().toCompletableFuture()).toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(all).whenComplete((v, e) -> status = e == null ? AdapterStatus.RUNNING : AdapterStatus.FAILED);
  }

  @Override
  public CompletionStage<Void> stop(Duration grace) {
    status = AdapterStatus.STOPPING;
    CompletableFuture<?>[] all = uplinks.stream().map(u -> u.stop(grace).toCompletableFuture()).toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(all).whenComplete((v, e) -> status = AdapterStatus.STOPPED);
  }

  @Override
  public AdapterStatus status() {
    return status;
  }

  /** One entry per uplink, {@code uplink <name>}, for {@code GET /status}. */
  @Override
  public java.util.Map<String, Object> statusDetails() {
    java.util.Map<String, Object> out = new java.util.LinkedHashMap<>();
    for (Uplink u : uplinks) {
      out.put("uplink " + u.name(), u.status().toMap());
    }
    return out;
  }

  /** Snapshots for tests and diagnostics. */
  List<UplinkStatus> uplinkStatus() {
    return uplinks.stream().map(Uplink::status).toList();
  }
}
