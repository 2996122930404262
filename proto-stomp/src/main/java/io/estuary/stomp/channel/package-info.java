/**
 * The per-connection STOMP state machine: {@link io.estuary.stomp.channel.StompChannel} takes decoded
 * frames, heart-beat ticks and the broker's deliveries, and answers through a
 * {@link io.estuary.stomp.channel.StompTransport} (send a frame, close, arm a timer). No sockets here, so
 * it is unit-tested with the test kit's fakes.
 *
 * <p>Thread contract: each channel and everything it owns (subscriptions, unacknowledged messages,
 * transactions) belongs to one thread, its connection's event loop, which is also its session's
 * {@code DeliverySink.executor()}; broker stages are handed back to it. Only {@code credits()} reads a
 * volatile field from any thread.
 */
package io.estuary.stomp.channel;
