package io.estuary.lwm2m.bootstrap;

import org.eclipse.leshan.core.node.LwM2mObjectInstance;

/**
 * What one device's bootstrap writes: the LwM2M server's security account (its instance id is chosen after
 * the discover) and server account {@code /1/0}, and what the events report. Immutable once built.
 *
 * @param security the security object instance's fields
 * @param server server object instance 0
 * @param serverUri the LwM2M server URI written
 * @param securityName {@code none}, {@code psk}, {@code rpk} or {@code x509}
 */
record Plan(Accounts.Security security, LwM2mObjectInstance server, String serverUri, String securityName) {}
