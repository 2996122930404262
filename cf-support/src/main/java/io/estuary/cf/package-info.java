/**
 * Californium and Scandium set-up shared by the CoAP and LwM2M adapters (not an adapter itself):
 * {@link io.estuary.cf.CfSettings} turns an adapter's {@code californium} config block into an explicit
 * {@link org.eclipse.californium.elements.config.Configuration} (never {@code Configuration.getStandard()},
 * which writes {@code Californium3.properties} into the working directory), and
 * {@link io.estuary.cf.DtlsSettings} reads a listener's {@code dtls_options} block (PSK table and file, PEM
 * certificate/key/CA through {@link io.estuary.tls.PemLoader}, raw public keys, DTLS Connection ID,
 * {@link io.estuary.cf.IdentityAs}) and builds Scandium's server connector config from it.
 * Overload protection shared by both adapters: {@link io.estuary.cf.ListenerLimits} (a listener's caps and
 * rates), {@link io.estuary.cf.SourceLimiter} (per-source-address datagram rate over a bounded table, then the
 * listener-wide {@link io.estuary.cf.DatagramBudget}: max_datagram_rate and the protocol stage's backlog counted by
 * {@link io.estuary.cf.BacklogExecutor}) and
 * {@link io.estuary.cf.LimitedConnector}, which applies it on Californium's receiver threads before a datagram is
 * parsed (over a plain UDP connector, max_datagram_rate parks the receiver thread instead of dropping, so the kernel
 * drops the excess unread); {@link io.estuary.cf.DedupCap} gives each endpoint a {@link io.estuary.cf.CappedDeduplicator} (duplicate
 * detection with a hard entry cap, oldest evicted; its own monitor, taken by Californium's protocol-stage threads and
 * its sweep); {@link io.estuary.cf.WatchedKeyValueSpace} counts the adapters' failed store writes and logs them
 * rate-limited. Settings are immutable and built once at adapter start on the gateway's main thread; the limiter's
 * state is thread-safe (its table's monitor, the buckets' own monitors).
 */
package io.estuary.cf;
