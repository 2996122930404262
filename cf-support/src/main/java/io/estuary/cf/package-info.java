/**
 * Californium and Scandium set-up shared by the CoAP and LwM2M adapters (not an adapter itself):
 * {@link io.estuary.cf.CfSettings} turns an adapter's {@code californium} config block into an explicit
 * {@link org.eclipse.californium.elements.config.Configuration} (never {@code Configuration.getStandard()},
 * which writes {@code Californium3.properties} into the working directory), and
 * {@link io.estuary.cf.DtlsSettings} reads a listener's {@code dtls_options} block (PSK table and file, PEM
 * certificate/key/CA through {@link io.estuary.tls.PemLoader}, raw public keys, DTLS Connection ID,
 * {@link io.estuary.cf.IdentityAs}) and builds Scandium's server connector config from it.
 * Everything here is immutable and built once at adapter start on the gateway's main thread.
 */
package io.estuary.cf;
