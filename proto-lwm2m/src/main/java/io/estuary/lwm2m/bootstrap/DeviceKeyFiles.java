package io.estuary.lwm2m.bootstrap;

import io.estuary.api.AdapterConfig;
import io.estuary.lwm2m.bootstrap.BootstrapEntry.DeviceKeys;
import io.estuary.lwm2m.bootstrap.BootstrapEntry.Security;
import io.estuary.lwm2m.security.RawPublicKeys;
import io.estuary.tls.PemLoader;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The device credentials of an rpk or x509 bootstrap config, read from PEM files: {@code keyfile} (the
 * device's private key), {@code public_key_file} (rpk: its PEM {@code PUBLIC KEY}; optional when
 * {@code keyfile} holds the pair) and {@code certfile} (x509: its certificate, CN = the endpoint name).
 */
final class DeviceKeyFiles {
  private DeviceKeyFiles() {}

  /** The device keys of {@code c}; null for none/psk, and for rpk without files (a pair generated per bootstrap). */
  static DeviceKeys read(AdapterConfig c, Security security) {
    String keyfile = text(c, "keyfile");
    String pubfile = text(c, "public_key_file");
    String certfile = text(c, "certfile");
    if (security != Security.RPK && !pubfile.isEmpty()) {
      throw c.invalid("public_key_file", "only with security = rpk");
    }
    if (security != Security.X509 && !certfile.isEmpty()) {
      throw c.invalid("certfile", "only with security = x509");
    }
    try {
      switch (security) {
        case RPK -> {
          if (keyfile.isEmpty()) {
            if (!pubfile.isEmpty()) {
              throw c.invalid("keyfile", "the device's private key alongside public_key_file");
            }
            return null;
          }
          KeyPair pair = PemLoader.keyPair(Path.of(keyfile));
          PublicKey pub = pubfile.isEmpty() ? pair.getPublic() : RawPublicKeys.fromFile(Path.of(pubfile));
          if (pub == null) {
            throw c.invalid("public_key_file", "the device's public key (" + keyfile + " holds no public key)");
          }
          return new DeviceKeys(pub, pair.getPrivate(), null);
        }
        case X509 -> {
          if (certfile.isEmpty() || keyfile.isEmpty()) {
            throw c.invalid(certfile.isEmpty() ? "certfile" : "keyfile",
                "the device's certificate (certfile) and private key (keyfile) with security = x509");
          }
          List<X509Certificate> chain = PemLoader.certificates(Path.of(certfile));
          return new DeviceKeys(chain.get(0).getPublicKey(), PemLoader.privateKey(Path.of(keyfile)), chain.get(0));
        }
        default -> {
          if (!keyfile.isEmpty()) {
            throw c.invalid("keyfile", "only with security = rpk or x509");
          }
          return null;
        }
      }
    } catch (IllegalArgumentException e) {
      if (e.getMessage() != null && e.getMessage().startsWith(c.path())) {
        throw e;
      }
      throw new IllegalArgumentException(c.path() + ": " + e.getMessage(), e);
    }
  }

  private static String text(AdapterConfig c, String key) {
    return c.has(key) ? c.getString(key).trim() : "";
  }
}
