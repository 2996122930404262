/**
 * CoAPs (RFC 7252 §9): DTLS listeners built on Scandium from {@link io.estuary.cf.DtlsSettings}. Built once
 * at adapter start on the gateway's thread; Scandium's own threads run the handshakes afterwards.
 */
package io.estuary.coap.dtls;
