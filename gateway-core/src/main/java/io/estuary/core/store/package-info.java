/**
 * The Store SPI: sessions, queued and inflight messages, retained messages and namespaced adapter
 * state. Implementations in {@code memory} (tests, persistence off) and {@code rocksdb}. The store's
 * bounds (issue #13) are asked through {@link io.estuary.core.store.Store#refusal()} and
 * {@link io.estuary.core.store.Store#admit}, from any thread: {@link io.estuary.core.store.StoreAdmission}
 * keeps the refusal counters (atomics, no owning thread).
 */
package io.estuary.core.store;
