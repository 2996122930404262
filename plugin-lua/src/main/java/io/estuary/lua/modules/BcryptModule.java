package io.estuary.lua.modules;

import io.estuary.lua.LuaModule;
import java.security.SecureRandom;
import java.util.Map;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;

/**
 * vmq_diversity's {@code bcrypt} (erlang-bcrypt's shapes, jBCrypt-compatible hashes):
 * {@code bcrypt.gen_salt([log_rounds])} answers {@code $2a$<rounds>$<22 chars>};
 * {@code bcrypt.hashpw(password, salt_or_hash)} answers the 60-character hash, so a script checks a password with
 * {@code bcrypt.hashpw(pw, stored) == stored}. {@code $2a$}, {@code $2b$} and {@code $2y$} are read (PostgreSQL's
 * {@code crypt(pw, gen_salt('bf'))} makes {@code $2a$}). Default rounds: {@code plugins.lua.bcrypt.default_log_rounds}.
 */
public final class BcryptModule implements LuaModule {
  private static final String ALPHABET = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  private final SecureRandom random = new SecureRandom();
  private volatile int defaultRounds = 12;

  @Override
  public String name() {
    return "bcrypt";
  }

  @Override
  public void start(Map<String, String> config) {
    defaultRounds = Integer.parseInt(config.getOrDefault("bcrypt.default_log_rounds", "12").trim());
  }

  @Override
  public LuaTable table() {
    LuaTable t = new LuaTable();
    t.set("gen_salt", Fn.of("gen_salt", a -> LuaValue.valueOf(genSalt(a.optint(1, defaultRounds)))));
    t.set("hashpw", Fn.of("hashpw", a -> LuaValue.valueOf(hashpw(Fn.bytes(a.arg(1)), a.checkjstring(2)))));
    return t;
  }

  String genSalt(int rounds) {
    if (rounds < 4 || rounds > 31) {
      throw new LuaError("bcrypt.gen_salt: log rounds must be 4..31, was " + rounds);
    }
    byte[] salt = new byte[16];
    random.nextBytes(salt);
    return String.format("$2a$%02d$", rounds) + encode(salt).substring(0, 22);
  }

  /** The bcrypt hash of {@code password} with the salt and rounds of {@code salt} (a salt or a whole hash). */
  public static String hashpw(byte[] password, String salt) {
    if (salt.length() < 29 || salt.charAt(0) != '$' || salt.charAt(3) != '$' || salt.charAt(6) != '$') {
      throw new LuaError("bcrypt.hashpw: not a bcrypt salt");
    }
    String version = salt.substring(1, 3);
    if (!version.equals("2a") && !version.equals("2b") && !version.equals("2y")) {
      throw new LuaError("bcrypt.hashpw: unsupported version $" + version + "$");
    }
    int rounds;
    try {
      rounds = Integer.parseInt(salt.substring(4, 6));
    } catch (NumberFormatException e) {
      throw new LuaError("bcrypt.hashpw: not a bcrypt salt");
    }
    byte[] raw = decode(salt.substring(7, 29));
    try {
      return OpenBSDBCrypt.generate(version, password, raw, rounds);
    } catch (IllegalArgumentException e) {
      throw new LuaError("bcrypt.hashpw: " + e.getMessage());
    }
  }

  /** bcrypt's base64 (its own alphabet, no padding). */
  static String encode(byte[] d) {
    StringBuilder b = new StringBuilder();
    int i = 0;
    while (i < d.length) {
      int c1 = d[i++] & 0xff;
      b.append(ALPHABET.charAt(c1 >> 2));
      c1 = (c1 & 0x03) << 4;
      if (i >= d.length) {
        b.append(ALPHABET.charAt(c1));
        break;
      }
      int c2 = d[i++] & 0xff;
      c1 |= c2 >> 4;
      b.append(ALPHABET.charAt(c1));
      c1 = (c2 & 0x0f) << 2;
      if (i >= d.length) {
        b.append(ALPHABET.charAt(c1));
        break;
      }
      c2 = d[i++] & 0xff;
      c1 |= c2 >> 6;
      b.append(ALPHABET.charAt(c1));
      b.append(ALPHABET.charAt(c2 & 0x3f));
    }
    return b.toString();
  }

  /** 22 characters of bcrypt base64 → the 16 salt bytes. */
  static byte[] decode(String s) {
    byte[] out = new byte[16];
    int o = 0;
    int i = 0;
    while (o < 16 && i < s.length() - 1) {
      int c1 = idx(s.charAt(i++));
      int c2 = idx(s.charAt(i++));
      out[o++] = (byte) ((c1 << 2) | ((c2 & 0x30) >> 4));
      if (o >= 16 || i >= s.length()) {
        break;
      }
      int c3 = idx(s.charAt(i++));
      out[o++] = (byte) (((c2 & 0x0f) << 4) | ((c3 & 0x3c) >> 2));
      if (o >= 16 || i >= s.length()) {
        break;
      }
      int c4 = idx(s.charAt(i++));
      out[o++] = (byte) (((c3 & 0x03) << 6) | c4);
    }
    if (o != 16) {
      throw new LuaError("bcrypt.hashpw: not a bcrypt salt");
    }
    return out;
  }

  private static int idx(char c) {
    int i = ALPHABET.indexOf(c);
    if (i < 0) {
      throw new LuaError("bcrypt.hashpw: not a bcrypt salt");
    }
    return i;
  }
}
