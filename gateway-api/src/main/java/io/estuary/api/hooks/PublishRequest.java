package io.estuary.api.hooks;

import io.estuary.api.ClientInfo;
import io.estuary.api.Message;

/**
 * {@code auth_on_publish} and {@code on_publish}: a client publishes {@code message} (its topic as the
 * adapter routes it, mountpoint included; its MQTT 5 properties for the {@code _m5} variants).
 */
public record PublishRequest(ClientInfo client, Message message) {
}
