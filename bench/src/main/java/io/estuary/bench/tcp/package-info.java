/**
 * TCP gateway load: N raw TCP devices speaking EMQX's framing (hand-encoded here, independent of proto-tcp's
 * codec) publish 64-byte DATATRANS frames through an in-process Estuary to one bare MQTT 3.1.1 subscriber, next to
 * the same load from N MQTT 3.1.1 publishers at QoS 0, in one run. Main class {@link io.estuary.bench.tcp.TcpBench};
 * script {@code bench/tcp-bench.sh}. Each load thread owns its devices' sockets; counters are atomics read by the
 * main thread. Everything binds 127.0.0.1.
 */
package io.estuary.bench.tcp;
