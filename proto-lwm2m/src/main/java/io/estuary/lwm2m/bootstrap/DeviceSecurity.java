package io.estuary.lwm2m.bootstrap;

import io.estuary.cf.DtlsSettings;
import io.estuary.lwm2m.security.ProvisionedCredentials;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.spec.ECGenParameterSpec;
import org.eclipse.leshan.core.CertificateUsage;
import org.eclipse.leshan.core.SecurityMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The credentials part of the security object (/0) a bootstrap writes, provisioned into the gateway's
 * security store first (the gateway must know them before the device has them): a PSK (fixed or a fresh
 * random 16 bytes), a raw public key (the configured pair or a fresh P-256 pair; the server public key is
 * the LwM2M DTLS listener's key) or an X.509 certificate (the configured one; the server public key is the
 * listener's certificate, pinned with certificate usage 3, domain-issued certificate). Called on Leshan's
 * threads; keeps no state.
 */
final class DeviceSecurity {
  private static final Logger LOG = LoggerFactory.getLogger(DeviceSecurity.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  private DeviceSecurity() {}

  /**
   * Fills {@code sec}'s mode and keys for {@code e}: null, or when it cannot (not bootstrapped, logged) the
   * {@code failed} event's reason ({@link Planned#MAX_PROVISIONED}, else {@link Planned#NO_BOOTSTRAP_CONFIG}).
   */
  static String write(BootstrapEntry e, String ep, Accounts.Security sec,
      ProvisionedCredentials credentials, DtlsSettings server) {
    if (e.security() != BootstrapEntry.Security.NONE && !credentials.admits(ep)) {
      return Planned.MAX_PROVISIONED; // counted and logged there; checked before a key pair is made
    }
    switch (e.security()) {
      case NONE -> {
        sec.securityMode = SecurityMode.NO_SEC;
        return null;
      }
      case PSK -> {
        String identity = e.pskIdentity() != null ? e.pskIdentity() : ep;
        byte[] key = e.pskKey();
        if (key == null) {
          key = new byte[16];
          RANDOM.nextBytes(key);
        }
        ProvisionedCredentials.Result r = credentials.provisionPsk(ep, identity, key);
        if (r != ProvisionedCredentials.Result.PROVISIONED) {
          if (r == ProvisionedCredentials.Result.TAKEN) {
            LOG.warn("LwM2M bootstrap of {}: the configuration already has other credentials for it or for "
                + "identity {}: not bootstrapped", ep, identity);
          }
          return failure(r);
        }
        sec.securityMode = SecurityMode.PSK;
        sec.publicKeyOrId = identity.getBytes(StandardCharsets.UTF_8);
        sec.secretKey = key;
        return null;
      }
      case RPK -> {
        if (server == null || server.publicKey() == null) {
          LOG.warn("LwM2M bootstrap of {}: security = rpk needs a keyfile on the LwM2M server's DTLS listener "
              + "(with raw_public_keys = true, verify = verify_peer): not bootstrapped", ep);
          return Planned.NO_BOOTSTRAP_CONFIG;
        }
        KeyPair pair = e.deviceKeys() != null
            ? new KeyPair(e.deviceKeys().publicKey(), e.deviceKeys().privateKey()) : freshPair();
        ProvisionedCredentials.Result r = credentials.provisionRpk(ep, pair.getPublic());
        if (r != ProvisionedCredentials.Result.PROVISIONED) {
          taken(r, ep);
          return failure(r);
        }
        sec.securityMode = SecurityMode.RPK;
        sec.publicKeyOrId = pair.getPublic().getEncoded();
        sec.secretKey = pair.getPrivate().getEncoded();
        sec.serverPublicKey = server.publicKey().getEncoded();
        return null;
      }
      case X509 -> {
        if (server == null || server.certificateChain().isEmpty()) {
          LOG.warn("LwM2M bootstrap of {}: security = x509 needs certfile and keyfile on the LwM2M server's DTLS "
              + "listener (with cacertfile, verify = verify_peer): not bootstrapped", ep);
          return Planned.NO_BOOTSTRAP_CONFIG;
        }
        ProvisionedCredentials.Result r = credentials.provisionX509(ep);
        if (r != ProvisionedCredentials.Result.PROVISIONED) {
          taken(r, ep);
          return failure(r);
        }
        try {
          sec.securityMode = SecurityMode.X509;
          sec.publicKeyOrId = e.deviceKeys().certificate().getEncoded();
          sec.secretKey = e.deviceKeys().privateKey().getEncoded();
          sec.serverPublicKey = server.certificateChain().get(0).getEncoded();
          sec.certificateUsage = CertificateUsage.DOMAIN_ISSUER_CERTIFICATE;
        } catch (CertificateEncodingException x) {
          LOG.warn("LwM2M bootstrap of {}: certificate not encodable: {}", ep, x.toString());
          return Planned.NO_BOOTSTRAP_CONFIG;
        }
        return null;
      }
      default -> throw new IllegalStateException(e.security().name());
    }
  }

  /**
   * The reason of a refused provisioning: FULL when another bootstrap took the last room after {@code admits}
   * (counted and logged there, as by {@code admits}).
   */
  private static String failure(ProvisionedCredentials.Result r) {
    return r == ProvisionedCredentials.Result.FULL ? Planned.MAX_PROVISIONED : Planned.NO_BOOTSTRAP_CONFIG;
  }

  private static void taken(ProvisionedCredentials.Result r, String ep) {
    if (r == ProvisionedCredentials.Result.TAKEN) {
      LOG.warn("LwM2M bootstrap of {}: the configuration already has credentials for it: not bootstrapped", ep);
    }
  }

  private static KeyPair freshPair() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return g.generateKeyPair();
    } catch (GeneralSecurityException x) {
      throw new IllegalStateException("no P-256 key pair generator", x);
    }
  }
}
