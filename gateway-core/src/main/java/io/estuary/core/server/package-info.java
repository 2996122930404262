/** Assembles and runs a gateway (store, broker, listeners, adapters, API); used by gateway-app and the test kit. */
package io.estuary.core.server;
