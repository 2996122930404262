/**
 * Who may register: {@link io.estuary.lwm2m.security.LifetimeAuthorizer} enforces
 * {@code lifetime_min}/{@code lifetime_max} on register and update;
 * {@link io.estuary.lwm2m.security.X509EndpointAuthorizer} requires a client certificate's CN to be the
 * endpoint name; {@link io.estuary.lwm2m.security.Credentials} turns the DTLS listeners' PSK and raw public
 * key ({@code rpk}) entries into Leshan's security store, which binds each credential to one endpoint.
 * Config is read once at start; the authorizers are stateless and called on Leshan's threads.
 */
package io.estuary.lwm2m.security;
