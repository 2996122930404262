/**
 * The LwM2M bootstrap server ({@code gateway.lwm2m.bootstrap}), ours since Leshan 2.0.0-M18's bootstrap
 * server artifacts are not served (Leshan's 2.0.0-M15 bootstrap server is the reference it follows): a
 * Californium server on listeners of its own whose {@code /bs} resource authorizes a device, then runs its
 * bootstrap (discover, delete, write security and server objects, finish) so that a factory-fresh device
 * registers with the gateway's LwM2M server; it provisions the credentials it hands out into the gateway's
 * security store and publishes bootstrap events on {@code lwm2m/{ep}/up/bootstrap}. Californium calls in on
 * the bootstrap server's protocol stage; each {@link io.estuary.lwm2m.bootstrap.Session} guards its state
 * with its own lock, the rest is immutable settings and concurrent maps.
 */
package io.estuary.lwm2m.bootstrap;
