/**
 * What survives a gateway restart, kept in the adapter's key-value space {@code lwm2m}: registrations
 * ({@code reg/<endpoint>}) and commands waiting for sleeping queue-mode devices
 * ({@code q/<endpoint>/<seq>}). Leshan calls the registration store on Californium's threads; every
 * key-value call runs on the gateway's store executor, in call order (the space keeps it), so no I/O
 * thread blocks on a disk-backed store. Reads happen only at start; the starting thread waits for them.
 */
package io.estuary.lwm2m.persistence;
