/**
 * CoAP publish throughput: Estuary's CoAP gateway (publishes reaching an MQTT subscriber) side by side
 * with a bare Californium server whose resource only answers 2.04, in one run on one machine, plus
 * the heap left after each run. Main class {@link io.estuary.bench.coap.CoapCompare}; script
 * {@code bench/coap-compare.sh}. Load runs on Californium endpoints sharing one small executor; the
 * counters are atomics read by the main thread.
 */
package io.estuary.bench.coap;
