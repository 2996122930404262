/** The MQTT listeners (tcp, ssl, ws, wss) on Netty: the only Netty package of the core besides the HTTP API. Each connection is owned by its event loop. */
package io.estuary.core.mqtt;
