/**
 * The per-client MQTT-SN state machine ({@link io.estuary.mqttsn.channel.MqttSnChannel}): frames and
 * broker events in, {@link io.estuary.mqttsn.channel.Action}s out. No sockets, no Netty. Every method
 * of a channel, and every callback it registers on the broker's stages, runs on one thread: the
 * transport's event loop, which is also the {@code DeliverySink.executor()} of the client's session;
 * so do the protocol phases a channel delegates to (Handshake, SleepCycle, Inbound, Outbound) and its
 * session sink, which share its state.
 * The one exception is the durable copy of topic ids ({@link io.estuary.mqttsn.channel.TopicIdStore}):
 * its key-value calls run on the gateway's store executor and their results are handed back to the
 * loop. Listing attributes are volatile mirrors, readable from any thread. The dispatcher's half-open
 * rule ({@link io.estuary.mqttsn.channel.HalfOpenProof}: which message proves a new client's address) runs on the
 * same loop.
 */
package io.estuary.mqttsn.channel;
