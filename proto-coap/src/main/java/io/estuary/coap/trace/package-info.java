/**
 * Per-client packet traces ({@code estuary ctl trace start client=ID}) of the CoAP gateway: a Californium
 * interceptor on every endpoint writes a one-line summary of each request in and each response or
 * notification out of a traced client. Its only state is a bounded concurrent table of the traced
 * exchanges (peer and token → client id), read and written by Californium's threads.
 */
package io.estuary.coap.trace;
