package io.estuary.lwm2m.security;

import java.util.Collection;
import java.util.Map;
import org.eclipse.leshan.server.security.InMemorySecurityStore;
import org.eclipse.leshan.server.security.NonUniqueSecurityInfoException;
import org.eclipse.leshan.server.security.SecurityInfo;
import org.eclipse.leshan.server.security.SecurityStore;

/** Leshan's security store built from the DTLS listeners' PSK tables (endpoint → identity and key). */
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
    }
    return store;
  }
}
