package io.estuary.core.config;

import io.estuary.core.auth.AclRule;
import io.estuary.core.auth.UserEntry;
import java.util.List;

/** {@code authentication.*} and {@code authorization.*}. */
public record AuthConfig(
    boolean allowAnonymous, List<UserEntry> users, List<String> passwordlessProtocols, boolean noMatchAllow, List<AclRule> rules) {
  public AuthConfig {
    users = List.copyOf(users);
    passwordlessProtocols = List.copyOf(passwordlessProtocols);
    rules = List.copyOf(rules);
  }
}
