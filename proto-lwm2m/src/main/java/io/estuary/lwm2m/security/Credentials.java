package io.estuary.lwm2m.security;

import java.security.PublicKey;
import java.util.Collection;
import java.util.Map;
import org.eclipse.leshan.servers.security.InMemorySecurityStore;
import org.eclipse.leshan.servers.security.NonUniqueSecurityInfoException;
import org.eclipse.leshan.servers.security.SecurityInfo;
import org.eclipse.leshan.servers.security.SecurityStore;

/**
 * Leshan's security store built from the DTLS listeners' PSK tables (endpoint → identity and key) and
 * raw public keys (endpoint → key). Leshan's {@code DefaultAuthorizer} then refuses a register whose DTLS
 * identity is not the stored one, a secure identity for an endpoint without an entry, and plain UDP for an
 * endpoint with one. X.509 devices are in the store only when listed in {@code x509_endpoints} (then
 * plain UDP is refused for them too); {@link X509EndpointAuthorizer} checks any certificate's CN.
 */
public final class Credentials {
  private Credentials() {}

  public static SecurityStore store(Collection<DtlsListener> listeners) {
    InMemorySecurityStore store = new InMemorySecurityStore();
    for (DtlsListener l : listeners) {
      for (Map.Entry<String, byte[]> psk : l.settings().psk().entrySet()) {
        String endpoint = l.pskEndpoints().getOrDefault(psk.getKey(), psk.getKey());
        try {
          store.add(SecurityInfo.newPreSharedKeyInfo(endpoint, psk.getKey(), psk.getValue()));
        } catch (NonUniqueSecurityInfoException e) {
          throw new IllegalArgumentException("PSK identity " + psk.getKey() + " given twice: " + e.getMessage(), e);
        }
      }
      for (Map.Entry<String, PublicKey> rpk : l.rpkEndpoints().entrySet()) {
        try {
          store.add(SecurityInfo.newRawPublicKeyInfo(rpk.getKey(), rpk.getValue()));
        } catch (NonUniqueSecurityInfoException e) {
          throw new IllegalArgumentException("endpoint " + rpk.getKey() + " has credentials twice: " + e.getMessage(), e);
        }
      }
      for (String ep : l.x509Endpoints()) {
        try {
          store.add(SecurityInfo.newX509CertInfo(ep));
        } catch (NonUniqueSecurityInfoException e) {
          throw new IllegalArgumentException("endpoint " + ep + " has credentials twice: " + e.getMessage(), e);
        }
      }
    }
    return store;
  }
}
