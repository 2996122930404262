/** Estuary coap module (skeleton: to be built by its issue). */
package io.estuary.coap;
