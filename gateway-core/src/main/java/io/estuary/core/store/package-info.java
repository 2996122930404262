/**
 * The Store SPI: sessions, queued and inflight messages, retained messages and namespaced adapter
 * state. Implementations in {@code memory} (tests, persistence off) and {@code rocksdb}.
 */
package io.estuary.core.store;
