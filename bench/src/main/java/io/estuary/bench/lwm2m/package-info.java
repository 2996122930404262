/**
 * LwM2M benchmark: an in-process Estuary with only the LwM2M adapter and a fleet of raw-CoAP devices
 * (one UDP socket each, all served by one selector thread) that register and answer reads. Only
 * 127.0.0.1 is ever addressed; every loop is bounded in count and time.
 */
package io.estuary.bench.lwm2m;
