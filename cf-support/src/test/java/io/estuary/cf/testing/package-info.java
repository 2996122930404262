/**
 * Test helpers shipped in cf-support's test-jar for the CoAP and LwM2M ITs: {@link io.estuary.cf.testing.TestPki}
 * makes a throw-away CA and certificates with BouncyCastle. Single-threaded use per test.
 */
package io.estuary.cf.testing;
