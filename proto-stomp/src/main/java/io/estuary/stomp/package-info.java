/**
 * The STOMP 1.0/1.1/1.2 gateway: its {@link io.estuary.stomp.StompAdapterFactory} (found by
 * ServiceLoader) and its immutable configuration {@link io.estuary.stomp.StompConfig}, read once from
 * {@code gateway.stomp}. Nothing here has mutable state or a thread of its own.
 */
package io.estuary.stomp;
