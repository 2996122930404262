/**
 * What survives a gateway restart, kept in the adapter's key-value space {@code lwm2m}: registrations
 * ({@code reg/<endpoint>}) and commands waiting for sleeping queue-mode devices
 * ({@code q/<endpoint>/<seq>}). Leshan calls the registration store on Californium's threads; every
 * key-value write is handed to one writer thread ({@code lwm2m-store}), so writes are ordered and no
 * I/O thread blocks on a disk-backed store. Reads happen only at start, on the starting thread.
 */
package io.estuary.lwm2m.persistence;
