/**
 * The hook chain: the plugins of {@code io.estuary.api.hooks} called at the points every adapter already
 * passes through ({@code GatewayContext.authenticate/openSession/publish}, {@code BrokerSession.publish/
 * subscribe/unsubscribe/close/wake}, {@code DeliverySink.deliver/sessionClosed}) and from the session core
 * (offline messages, expiry). {@link io.estuary.core.hooks.HookChain} owns the hook threads
 * ({@code estuary-hook-N}); one client's hook calls run on one {@code SerialExecutor} stripe of them.
 * {@link io.estuary.core.hooks.HookedSession} and {@link io.estuary.core.hooks.HookedSink} wrap a
 * session only when plugins are loaded; their state is touched on the adapter's executor (the sink's)
 * and their hook stripe.
 */
package io.estuary.core.hooks;
