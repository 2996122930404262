/**
 * PEM files to JDK security objects: the one loader for certificates and private keys that the
 * uplink, cf-support (CoAP, LwM2M and MQTT-SN DTLS) and the MQTT listener's TLS use. Stateless; safe
 * from any thread. BouncyCastle types stay inside this package.
 */
package io.estuary.tls;
