/** Test kit: start a gateway on loopback port 0 with chosen adapters; shared by every module ITs. */
package io.estuary.testkit;
