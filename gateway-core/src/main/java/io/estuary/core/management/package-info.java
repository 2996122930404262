/** Management: metrics registry, HTTP API, $SYS topics. Runs on its own Netty event loop and timers. */
package io.estuary.core.management;
