/**
 * The broker core: the session registry and the adapters' {@code GatewayContext} ({@link
 * io.estuary.core.session.Broker}), publish checks and routing ({@code Router}, on the publisher's
 * thread, concurrent indexes only), and one {@code Session} per client id, split by phase: attach,
 * take-over and subscriptions ({@code Session}), inbound publishes and exactly-once keys ({@code
 * SessionHandle}), the queue, inflight window and delivery to the sink ({@code Outbox}, {@code
 * SessionQueue}, {@code Connection}), will and expiry between connections ({@code SessionExpiry}).
 *
 * <p>Threads: a session's state is confined to its {@link io.estuary.core.session.SerialExecutor} (on a
 * shared pool); timers and routers only hand work to it. Sinks are called, and the adapter's stages
 * completed, only on the sink's executor. Unit tests run all of it on one thread with a manual clock.
 */
package io.estuary.core.session;
