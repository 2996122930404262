/**
 * Who may register: {@link io.estuary.lwm2m.security.LifetimeAuthorizer} enforces
 * {@code lifetime_min}/{@code lifetime_max} on register and update. Stateless; called on Leshan's threads.
 */
package io.estuary.lwm2m.security;
