package io.estuary.cf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Raw public keys (RFC 7250) as configured: DER SubjectPublicKeyInfo in base64 — what {@code openssl
 * pkey -pubout} writes between its PEM lines — bare or PEM-armoured. EC, Ed25519 and RSA keys.
 */
public final class PublicKeys {
  private PublicKeys() {}

  /** One key, base64 with or without PEM armour. */
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
    for (String algorithm : new String[] {"EC", "Ed25519", "RSA"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        // try the next algorithm
      }
    }
    throw new IllegalArgumentException("not an EC, Ed25519 or RSA public key (DER SubjectPublicKeyInfo)");
  }

  /** Every key in {@code file}: PEM {@code PUBLIC KEY} blocks and/or one base64 key per line ({@code #} comments). */
  static List<PublicKey> fromFile(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": cannot read (" + e.getMessage() + ")", e);
    }
    List<PublicKey> out = new ArrayList<>();
    StringBuilder block = null;
    for (String line : lines) {
      String l = line.strip();
      if (l.startsWith("-----BEGIN")) {
        block = new StringBuilder();
      } else if (l.startsWith("-----END")) {
        out.add(parse(block == null ? "" : block.toString()));
        block = null;
      } else if (block != null) {
        block.append(l);
      } else if (!l.isEmpty() && !l.startsWith("#")) {
        out.add(parse(l));
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(file + ": no public key");
    }
    return out;
  }
}
