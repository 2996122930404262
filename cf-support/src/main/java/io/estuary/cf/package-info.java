/** Californium and Scandium set-up shared by the CoAP and LwM2M adapters (not an adapter itself). */
package io.estuary.cf;
