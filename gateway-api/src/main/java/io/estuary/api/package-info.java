/**
 * The adapter SPI and the protocol-neutral message model. JDK types only. Adapters depend on this
 * package and nothing else of the core; every thread contract is stated on the type.
 */
package io.estuary.api;
