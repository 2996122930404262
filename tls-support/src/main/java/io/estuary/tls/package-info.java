/**
 * PEM files to JDK security objects: the one loader for certificates and private keys that the
 * uplink, cf-support (CoAP, LwM2M and MQTT-SN DTLS) and the MQTT listener's TLS use. Stateless; safe
 * from any thread. BouncyCastle types stay inside this package. {@link io.estuary.tls.GeneratedCertificate}: the
 * self-signed certificate TLS listeners use when none is configured, one per process (JDK classes only), generated
 * on its own daemon thread and safe to read from any thread.
 */
package io.estuary.tls;
