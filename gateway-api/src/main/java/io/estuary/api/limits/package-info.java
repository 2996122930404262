/**
 * Overload-protection building blocks every adapter and the core share (issue #13): {@link
 * io.estuary.api.limits.Rate} (EMQX's rate syntax, {@code "1000/s"}, {@code "1MB/10s"}, {@code infinity}),
 * {@link io.estuary.api.limits.TokenBucket}, {@link io.estuary.api.limits.SourceTable} (a bounded table of
 * per-source buckets for UDP listeners) and {@link io.estuary.api.limits.LogThrottle} (at most one log line per
 * interval, counting the ones left out). All are thread-safe; their state is guarded by their own monitor or
 * atomics, so any thread may call them.
 */
package io.estuary.api.limits;
