/**
 * Per-client packet traces ({@code estuary ctl trace start|stop client=ID}): which clients are traced (a
 * concurrent map, read by adapters' I/O threads, changed by the management API's threads) and the one
 * writer thread {@code estuary-trace} that owns the trace files.
 */
package io.estuary.core.trace;
