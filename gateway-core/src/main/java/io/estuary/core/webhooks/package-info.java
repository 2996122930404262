/**
 * Webhooks as VerneMQ's {@code vmq_webhooks}: a built-in hook plugin that POSTs each registered hook's
 * arguments as JSON (VerneMQ's field names) to HTTP endpoints and turns their answers into verdicts. State:
 * the registrations (copy-on-write, changed by config and {@code estuary ctl webhooks}) and the response
 * cache (one lock); HTTP runs on one JDK client per server (scheme, host, port), each on its own threads
 * ({@code estuary-webhook-<host>:<port>-N}), so a server whose name lookup stalls holds up no other, and no hook
 * waits for a request longer than {@code response_timeout}. Failed requests are counted per {@link
 * io.estuary.core.webhooks.WebhookFailure} (lock-free counters).
 */
package io.estuary.core.webhooks;
