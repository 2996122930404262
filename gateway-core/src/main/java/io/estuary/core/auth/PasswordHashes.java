package io.estuary.core.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import org.bouncycastle.crypto.digests.SHA512Digest;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.bouncycastle.crypto.generators.PKCS5S2ParametersGenerator;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * The hashes of mosquitto's password file, as {@code mosquitto_passwd} writes them:
 * {@code $7$<iterations>$<salt>$<hash>} (PBKDF2-HMAC-SHA512, 64-byte key, mosquitto 2's default, 101
 * iterations), {@code $6$<salt>$<hash>} (SHA-512 of password then salt, mosquitto 1.x), salt and hash in
 * base64; and bcrypt ({@code $2a$ $2b$ $2y$}) as other tools write it. Stateless; any thread (bcrypt and
 * PBKDF2 are slow by design: never on an I/O thread).
 */
public final class PasswordHashes {
  /** mosquitto_passwd's iteration count for $7$. */
  public static final int PBKDF2_ITERATIONS = 101;
  private static final int SALT_BYTES = 12;
  private static final int MAX_ITERATIONS = 10_000_000;
  private static final SecureRandom RANDOM = new SecureRandom();

  private PasswordHashes() {
  }

  /** Whether {@code password} matches {@code stored}; false for formats this does not know (never throws). */
  public static boolean verify(String stored, byte[] password) {
    try {
      if (stored.startsWith("$7$")) {
        String[] p = stored.split("\\$", -1); // "", "7", iterations, salt, hash
        if (p.length != 5) {
          return false;
        }
        int iterations = Integer.parseInt(p[2]);
        if (iterations < 1 || iterations > MAX_ITERATIONS) {
          return false;
        }
        byte[] salt = Base64.getDecoder().decode(p[3]);
        byte[] expected = Base64.getDecoder().decode(p[4]);
        return MessageDigest.isEqual(expected, pbkdf2(password, salt, iterations, expected.length));
      }
      if (stored.startsWith("$6$")) {
        String[] p = stored.split("\\$", -1);
        if (p.length != 4) {
          return false;
        }
        byte[] salt = Base64.getDecoder().decode(p[2]);
        byte[] expected = Base64.getDecoder().decode(p[3]);
        return MessageDigest.isEqual(expected, sha512(password, salt));
      }
      if (stored.startsWith("$2a$") || stored.startsWith("$2b$") || stored.startsWith("$2y$")) {
        return OpenBSDBCrypt.checkPassword(stored, new String(password, StandardCharsets.UTF_8).toCharArray());
      }
    } catch (RuntimeException e) {
      return false; // a malformed entry matches nothing
    }
    return false;
  }

  /** A new {@code $7$} hash, as {@code mosquitto_passwd} (default -H sha512-pbkdf2) writes. */
  public static String pbkdf2(String password) {
    byte[] salt = new byte[SALT_BYTES];
    RANDOM.nextBytes(salt);
    byte[] hash = pbkdf2(password.getBytes(StandardCharsets.UTF_8), salt, PBKDF2_ITERATIONS, 64);
    Base64.Encoder b64 = Base64.getEncoder();
    return "$7$" + PBKDF2_ITERATIONS + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(hash);
  }

  /** A new {@code $6$} hash, as {@code mosquitto_passwd -H sha512} writes. */
  public static String sha512(String password) {
    byte[] salt = new byte[SALT_BYTES];
    RANDOM.nextBytes(salt);
    Base64.Encoder b64 = Base64.getEncoder();
    return "$6$" + b64.encodeToString(salt) + "$" + b64.encodeToString(sha512(password.getBytes(StandardCharsets.UTF_8), salt));
  }

  /** PBKDF2-HMAC-SHA512 over the password's bytes, as mosquitto (OpenSSL's PKCS5_PBKDF2_HMAC) computes it. */
  private static byte[] pbkdf2(byte[] password, byte[] salt, int iterations, int bytes) {
    PKCS5S2ParametersGenerator gen = new PKCS5S2ParametersGenerator(new SHA512Digest());
    gen.init(password, salt, iterations);
    return ((KeyParameter) gen.generateDerivedParameters(bytes * 8)).getKey();
  }

  private static byte[] sha512(byte[] password, byte[] salt) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-512");
      md.update(password);
      md.update(salt);
      return md.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-512 unavailable", e);
    }
  }
}
