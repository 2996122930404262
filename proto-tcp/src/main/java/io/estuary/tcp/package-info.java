/**
 * The raw TCP gateway (EMQX's transparent TCP framing plus configurable framings for devices that cannot change):
 * its factory and its immutable config records, read once at start on the gateway's main thread. The codec, the
 * per-connection channel and the Netty transport live in the sub-packages.
 */
package io.estuary.tcp;
