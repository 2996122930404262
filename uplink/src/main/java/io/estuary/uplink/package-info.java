/** Estuary uplink module (skeleton: to be built by its issue). */
package io.estuary.uplink;
