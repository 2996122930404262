/** Estuary lwm2m module (skeleton: to be built by its issue). */
package io.estuary.lwm2m;
