package io.estuary.api.hooks;

import io.estuary.api.ClientInfo;
import io.estuary.api.Message;

/**
 * {@code on_deliver}: {@code message} is about to go to {@code subscriber} (its topic as the subscriber
 * sees it, before the adapter strips its mountpoint; {@code message.publisher()} names who sent it).
 */
public record DeliverRequest(ClientInfo subscriber, Message message) {
}
