/**
 * The hooks SPI: plugins that see and may veto or rewrite what every protocol's clients do, with
 * VerneMQ's hook names and semantics ({@link io.estuary.api.hooks.HookName}). A plugin is a
 * {@link io.estuary.api.hooks.HookPlugin} found by {@link java.util.ServiceLoader} on the class path or
 * in a jar of the gateway's {@code plugins/} directory. JDK types only.
 *
 * <p>Threads: the core calls every hook on its own hook threads ({@code estuary-hook-N}), never on an
 * adapter's I/O thread, and never concurrently for the same client. Plugins keep their own state
 * thread-safe; the records here are immutable.
 */
package io.estuary.api.hooks;
