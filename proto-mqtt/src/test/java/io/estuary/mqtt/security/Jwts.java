package io.estuary.mqtt.security;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Signs JWTs and writes keys with the JDK alone (independent of the library the gateway verifies with). */
final class Jwts {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private Jwts() {}

  static long now() {
    return System.currentTimeMillis() / 1000;
  }

  /** alg HS*, RS*, ES* or none; key: a byte[] secret or a private key. */
  static String sign(String alg, String kid, Object key, Map<String, ?> claims) {
    try {
      ObjectNode h = JSON.createObjectNode().put("alg", alg).put("typ", "JWT");
      if (kid != null) {
        h.put("kid", kid);
      }
      String input = B64.encodeToString(JSON.writeValueAsBytes(h)) + "." + B64.encodeToString(JSON.writeValueAsBytes(claims));
      byte[] data = input.getBytes(StandardCharsets.US_ASCII);
      String bits = alg.substring(2);
      byte[] sig = switch (alg.substring(0, 2)) {
        case "HS" -> {
          Mac mac = Mac.getInstance("HmacSHA" + bits);
          mac.init(new SecretKeySpec((byte[]) key, "HmacSHA" + bits));
          yield mac.doFinal(data);
        }
        case "RS", "ES" -> {
          Signature s = Signature.getInstance(alg.startsWith("RS") ? "SHA" + bits + "withRSA" : "SHA" + bits + "withECDSAinP1363Format");
          s.initSign((java.security.PrivateKey) key);
          s.update(data);
          yield s.sign();
        }
        default -> new byte[0];
      };
      return input + "." + B64.encodeToString(sig);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static KeyPair rsa() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static KeyPair ec() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static Path pem(Path file, PublicKey key) throws IOException {
    String b = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded());
    Files.writeString(file, "-----BEGIN PUBLIC KEY-----\n" + b + "\n-----END PUBLIC KEY-----\n");
    return file;
  }

  /** A JWK (RFC 7517) of a public key. */
  static Map<String, String> jwk(String kid, Key key) {
    if (key instanceof RSAPublicKey r) {
      return Map.of("kty", "RSA", "kid", kid, "use", "sig", "n", b64(r.getModulus()), "e", b64(r.getPublicExponent()));
    }
    ECPublicKey e = (ECPublicKey) key;
    return Map.of("kty", "EC", "kid", kid, "use", "sig", "crv", "P-256", "x", b64(e.getW().getAffineX(), 32),
        "y", b64(e.getW().getAffineY(), 32));
  }

  private static String b64(BigInteger i) {
    byte[] b = i.toByteArray();
    return B64.encodeToString(b[0] == 0 ? Arrays.copyOfRange(b, 1, b.length) : b);
  }

  private static String b64(BigInteger i, int len) {
    byte[] b = i.toByteArray();
    byte[] out = new byte[len];
    int n = Math.min(len, b.length);
    System.arraycopy(b, b.length - n, out, len - n, n);
    return B64.encodeToString(out);
  }
}
