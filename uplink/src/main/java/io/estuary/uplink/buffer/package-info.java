/**
 * The forward side's flow control. The store-and-forward buffer itself is the uplink's persistent
 * broker session queue (bounded by {@code buffer.max_messages}, durable with the durable store); this
 * package holds only what is in flight to the upstream broker ({@link io.estuary.uplink.buffer.ForwardWindow})
 * and the catch-up rate limit ({@link io.estuary.uplink.buffer.CatchupLimiter}). Not thread-safe:
 * both are confined to their uplink's serial executor.
 */
package io.estuary.uplink.buffer;
