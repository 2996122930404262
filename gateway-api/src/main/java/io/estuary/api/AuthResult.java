package io.estuary.api;

/**
 * The authenticator's answer.
 *
 * @param superuser a superuser skips ACL checks
 */
public record AuthResult(Status status, boolean superuser, String reason) {
  public enum Status { ALLOWED, BAD_CREDENTIALS, NOT_AUTHORIZED }

  public static AuthResult allowed() {
    return new AuthResult(Status.ALLOWED, false, "");
  }

  public static AuthResult allowedSuperuser() {
    return new AuthResult(Status.ALLOWED, true, "");
  }

  public static AuthResult badCredentials(String reason) {
    return new AuthResult(Status.BAD_CREDENTIALS, false, reason);
  }

  public static AuthResult notAuthorized(String reason) {
    return new AuthResult(Status.NOT_AUTHORIZED, false, reason);
  }

  public boolean isAllowed() {
    return status == Status.ALLOWED;
  }
}
