package io.estuary.lwm2m.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;

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

  /** A base64 SubjectPublicKeyInfo, with or without PEM armour (cf-support's one parser). */
  public static PublicKey parse(String text) {
    return io.estuary.cf.PublicKeys.parse(text);
  }
}
