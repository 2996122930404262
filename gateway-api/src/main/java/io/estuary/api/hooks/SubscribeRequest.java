package io.estuary.api.hooks;

import io.estuary.api.ClientInfo;
import io.estuary.api.Subscription;
import java.util.List;

/** {@code auth_on_subscribe} and {@code on_subscribe}: a client subscribes (for on_subscribe: what was granted). */
public record SubscribeRequest(ClientInfo client, List<Subscription> subscriptions) {
  public SubscribeRequest {
    subscriptions = List.copyOf(subscriptions);
  }
}
