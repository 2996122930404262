/**
 * Store benchmarks: persisted QoS 1 throughput (memory vs RocksDB with sync = interval / always) and
 * recovery time of a large queued backlog, against an in-process gateway on 127.0.0.1.
 */
package io.estuary.bench.store;
