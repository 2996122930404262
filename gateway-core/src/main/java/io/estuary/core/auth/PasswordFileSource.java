package io.estuary.core.auth;

import io.estuary.api.AuthResult;
import io.estuary.api.ClientCredentials;
import java.nio.file.Path;

/**
 * {@code password_file}: mosquitto's password file. A user the file names is allowed with the right
 * password and refused (bad credentials) otherwise; a client whose username the file does not name is
 * ignored (the next source decides). Immutable; reloading builds a new one.
 */
public final class PasswordFileSource implements AuthSource {
  private final PasswordFile file;

  public PasswordFileSource(PasswordFile file) {
    this.file = file;
  }

  public static PasswordFileSource read(Path path) {
    return new PasswordFileSource(PasswordFile.read(path, "authentication.password_file"));
  }

  @Override
  public String name() {
    return "password_file";
  }

  @Override
  public AuthResult check(ClientCredentials c) {
    String hash = file.hash(c.username());
    if (hash == null) {
      return null;
    }
    return c.password() != null && PasswordHashes.verify(hash, c.password()) ? AuthResult.allowed()
        : AuthResult.badCredentials("bad username or password");
  }
}
