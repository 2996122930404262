package io.estuary.cf;

import java.security.Principal;
import java.util.Objects;
import org.eclipse.californium.elements.auth.PreSharedKeyIdentity;
import org.eclipse.californium.elements.auth.RawPublicKeyIdentity;
import org.eclipse.californium.elements.auth.X509CertPath;

/**
 * What a DTLS handshake proved about a peer, in the two forms the gateway uses.
 *
 * @param name the PSK identity, certificate CN or RPK name ({@code ni:///sha-256;…}): what {@code identity_as}
 *     turns into a client id or username
 * @param authIdentity the session owner's transport identity ({@code ClientInfo.authIdentity}):
 *     {@code "psk:<identity>"}, {@code "x509:<CN>"} or {@code "rpk:<name>"}, so a PSK identity never equals a
 *     certificate CN that happens to be spelled the same
 */
public record PeerIdentity(String name, String authIdentity) {
  public PeerIdentity {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(authIdentity, "authIdentity");
  }

  /** The identity of a Scandium peer principal, or null for none (plain UDP, anonymous DTLS). */
  public static PeerIdentity of(Principal p) {
    String name = DtlsSettings.peerName(p);
    if (name == null) {
      return null;
    }
    String kind = p instanceof PreSharedKeyIdentity ? "psk:" : p instanceof X509CertPath ? "x509:"
        : p instanceof RawPublicKeyIdentity ? "rpk:" : "dtls:";
    return new PeerIdentity(name, kind + name);
  }

  /** A PSK identity (tests, and callers that only know the identity string). */
  public static PeerIdentity psk(String identity) {
    return new PeerIdentity(identity, "psk:" + identity);
  }
}
