package io.estuary.lwm2m.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * A device's raw public key (RFC 7250) as configured: the DER SubjectPublicKeyInfo in base64 — what
 * {@code openssl pkey -pubout} writes between its PEM lines — bare, or as a PEM {@code PUBLIC KEY}
 * file. EC keys (the LwM2M norm, secp256r1) and RSA keys. Failures are {@link IllegalArgumentException}s.
 */
public final class RawPublicKeys {
  private RawPublicKeys() {}

  /** The key in a PEM {@code PUBLIC KEY} file. */
  public static PublicKey fromFile(Path file) {
    try {
      return parse(Files.readString(file, StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": cannot read (" + e.getMessage() + ")", e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  /** A base64 SubjectPublicKeyInfo, with or without PEM armour. */
  public static PublicKey parse(String text) {
    StringBuilder b64 = new StringBuilder();
    for (String line : text.split("\\R")) {
      String l = line.strip();
      if (!l.isEmpty() && !l.startsWith("-----")) {
        b64.append(l);
      }
    }
    byte[] der;
    try {
      der = Base64.getDecoder().decode(b64.toString());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("a public key must be base64 (DER SubjectPublicKeyInfo)", e);
    }
    for (String algorithm : new String[] {"EC", "RSA"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        // try the next algorithm
      }
    }
    throw new IllegalArgumentException("not an EC or RSA public key (DER SubjectPublicKeyInfo)");
  }
}
