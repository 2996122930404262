package io.estuary.lua.modules;

import io.estuary.lua.LuaModule;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;

/**
 * {@code obf.encrypt(s)} / {@code obf.decrypt(s)}: keeps secrets (database passwords) obfuscated in memory, as
 * vmq_diversity's {@code obf}: AES-GCM under a key made at start and never written anywhere, answering base64
 * text. What is encrypted in one run cannot be decrypted in the next.
 */
public final class ObfModule implements LuaModule {
  private final SecureRandom random = new SecureRandom();
  private final SecretKey key;

  public ObfModule() {
    try {
      KeyGenerator g = KeyGenerator.getInstance("AES");
      g.init(128, random);
      key = g.generateKey();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String name() {
    return "obf";
  }

  @Override
  public LuaTable table() {
    LuaTable t = new LuaTable();
    t.set("encrypt", Fn.of("encrypt", a -> {
      try {
        byte[] iv = new byte[12];
        random.nextBytes(iv);
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
        byte[] ct = c.doFinal(Fn.bytes(a.arg(1)));
        return LuaValue.valueOf(Base64.getEncoder().encodeToString(ByteBuffer.allocate(12 + ct.length).put(iv).put(ct).array()));
      } catch (GeneralSecurityException e) {
        throw new LuaError("obf.encrypt: " + e.getMessage());
      }
    }));
    t.set("decrypt", Fn.of("decrypt", a -> {
      try {
        byte[] in = Base64.getDecoder().decode(a.checkjstring(1));
        if (in.length < 28) {
          throw new LuaError("obf.decrypt: not an obf.encrypt result");
        }
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, in, 0, 12));
        return LuaValue.valueOf(c.doFinal(in, 12, in.length - 12));
      } catch (GeneralSecurityException | IllegalArgumentException e) {
        throw new LuaError("obf.decrypt: not an obf.encrypt result of this run");
      }
    }));
    return t;
  }
}
