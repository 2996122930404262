package io.estuary.lwm2m.security;

import io.estuary.cf.PeerIdentity;
import org.eclipse.californium.elements.auth.RawPublicKeyIdentity;
import org.eclipse.leshan.core.peer.LwM2mIdentity;
import org.eclipse.leshan.core.peer.LwM2mPeer;
import org.eclipse.leshan.core.peer.PskIdentity;
import org.eclipse.leshan.core.peer.RpkIdentity;
import org.eclipse.leshan.core.peer.X509Identity;

/**
 * What a device's DTLS handshake proved, in the gateway's two forms ({@link PeerIdentity}): the PSK
 * identity, certificate CN or RPK name ({@code ni:///sha-256;…}, as Scandium names it) and
 * {@code psk:…}/{@code x509:…}/{@code rpk:…} for {@code ClientInfo.authIdentity}. Stateless.
 */
public final class DeviceIdentity {
  private DeviceIdentity() {}

  /** The proved identity of {@code peer}, or null over plain UDP. */
  public static PeerIdentity of(LwM2mPeer peer) {
    LwM2mIdentity id = peer == null ? null : peer.getIdentity();
    if (id instanceof PskIdentity p) {
      return PeerIdentity.psk(p.getPskIdentity());
    }
    if (id instanceof X509Identity x) {
      return new PeerIdentity(x.getX509CommonName(), "x509:" + x.getX509CommonName());
    }
    if (id instanceof RpkIdentity r) {
      String name = new RawPublicKeyIdentity(r.getPublicKey()).getName();
      return new PeerIdentity(name, "rpk:" + name);
    }
    return null;
  }
}
