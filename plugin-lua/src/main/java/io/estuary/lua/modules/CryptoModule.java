package io.estuary.lua.modules;

import io.estuary.lua.LuaModule;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;

/**
 * {@code crypto.hash(alg, data)} and {@code crypto.hmac(alg, key, data)}, answering lower-case hex (as MySQL's
 * {@code SHA2()}/{@code MD5()} store them); {@code alg} is {@code md5}, {@code sha1}, {@code sha224}, {@code sha256},
 * {@code sha384} or {@code sha512}.
 */
public final class CryptoModule implements LuaModule {
  @Override
  public String name() {
    return "crypto";
  }

  static String jca(String alg) {
    return switch (alg.toLowerCase(Locale.ROOT)) {
      case "md5" -> "MD5";
      case "sha", "sha1" -> "SHA-1";
      case "sha224" -> "SHA-224";
      case "sha256" -> "SHA-256";
      case "sha384" -> "SHA-384";
      case "sha512" -> "SHA-512";
      default -> throw new LuaError("crypto: unknown algorithm \"" + alg + "\"");
    };
  }

  @Override
  public LuaTable table() {
    LuaTable t = new LuaTable();
    t.set("hash", Fn.of("hash", a -> {
      try {
        byte[] d = MessageDigest.getInstance(jca(a.checkjstring(1))).digest(Fn.bytes(a.arg(2)));
        return LuaValue.valueOf(HexFormat.of().formatHex(d));
      } catch (NoSuchAlgorithmException e) {
        throw new LuaError("crypto.hash: " + e.getMessage());
      }
    }));
    t.set("hmac", Fn.of("hmac", a -> {
      try {
        String alg = "Hmac" + jca(a.checkjstring(1)).replace("-", "");
        Mac mac = Mac.getInstance(alg);
        mac.init(new SecretKeySpec(Fn.bytes(a.arg(2)), alg));
        return LuaValue.valueOf(HexFormat.of().formatHex(mac.doFinal(Fn.bytes(a.arg(3)))));
      } catch (java.security.GeneralSecurityException | IllegalArgumentException e) {
        throw new LuaError("crypto.hmac: " + e.getMessage());
      }
    }));
    return t;
  }
}
