/**
 * The LwM2M gateway (EMQX-compatible): {@link io.estuary.lwm2m.Lwm2mAdapterFactory} reads
 * {@code gateway.lwm2m} into {@link io.estuary.lwm2m.Lwm2mConfig} and {@link io.estuary.lwm2m.Lwm2mAdapter}
 * runs an Eclipse Leshan server on Californium. Config records are immutable; the adapter's lifecycle
 * runs on the gateway's main thread, device state lives in {@code .registration} on per-endpoint serial
 * executors. Leshan and Californium types never leave this module.
 */
package io.estuary.lwm2m;
