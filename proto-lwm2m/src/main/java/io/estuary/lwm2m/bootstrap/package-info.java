/**
 * The LwM2M bootstrap server ({@code gateway.lwm2m.bootstrap}): Leshan's bootstrap server on listeners of
 * its own, writing security and server objects so that a factory-fresh device then registers with the
 * gateway's LwM2M server, provisioning the PSK it hands out into the gateway's security store, and
 * publishing bootstrap events on {@code lwm2m/{ep}/up/bootstrap}. Leshan calls in on its Californium
 * threads; the state here is immutable settings and concurrent maps.
 */
package io.estuary.lwm2m.bootstrap;
