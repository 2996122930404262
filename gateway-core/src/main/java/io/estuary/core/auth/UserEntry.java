package io.estuary.core.auth;

import java.util.Objects;

/**
 * A built-in user: {@code password} is plain text or a bcrypt hash ({@code $2a$}, {@code $2b$}, {@code $2y$}),
 * or empty for a device that carries no password (admitted only over {@code passwordless_protocols}).
 */
public record UserEntry(String username, String password, boolean superuser) {
  public UserEntry {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(password, "password");
  }

  public boolean hasPassword() {
    return !password.isEmpty();
  }

  /** Never prints the password or its hash. */
  @Override
  public String toString() {
    return "UserEntry[username=" + username + ", password=***, superuser=" + superuser + "]";
  }
}
