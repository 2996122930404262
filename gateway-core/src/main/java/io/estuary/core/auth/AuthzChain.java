package io.estuary.core.auth;

import io.estuary.api.ClientInfo;
import java.util.List;
import java.util.function.Predicate;

/**
 * The authorization chain (EMQX 5 style, {@code authorization.sources} in order): for a publish or a
 * subscribe the first source that matches decides, and {@code no_match} when none does; a delivery goes
 * out unless a source vetoes it (the built-in rules veto with deny rules, an ACL file unless it grants
 * read, as mosquitto checks every delivery). Superusers skip it all. {@link #replace} swaps the sources
 * at run time (reload). Thread-safe: one volatile read per check.
 */
public final class AuthzChain implements Authorizer {
  private record State(List<AuthzSource> sources, boolean noMatchAllow, Predicate<String> superuser, int httpAt) {}

  private volatile State state;

  public AuthzChain(List<AuthzSource> sources, boolean noMatchAllow, Predicate<String> superuser) {
    this(sources, noMatchAllow, superuser, -1);
  }

  /** @param httpAt how many of {@code sources} come before the (asynchronous) {@code http} source; -1 without it */
  public AuthzChain(List<AuthzSource> sources, boolean noMatchAllow, Predicate<String> superuser, int httpAt) {
    replace(sources, noMatchAllow, superuser, httpAt);
  }

  public void replace(List<AuthzSource> sources, boolean noMatchAllow, Predicate<String> superuser) {
    replace(sources, noMatchAllow, superuser, -1);
  }

  public void replace(List<AuthzSource> sources, boolean noMatchAllow, Predicate<String> superuser, int httpAt) {
    state = new State(List.copyOf(sources), noMatchAllow, superuser, httpAt);
  }

  /**
   * What the sources listed before {@code http} decide (TRUE allow, FALSE deny), or null when none of them
   * matches and the HTTP service is to be asked. Superusers: TRUE. Without http in the sources (after a reload
   * dropped it): null.
   */
  public Boolean decideBeforeHttp(ClientInfo client, Action action, String topic) {
    State s = state;
    if (client.username() != null && s.superuser().test(client.username())) {
      return Boolean.TRUE;
    }
    for (int i = 0; i < s.httpAt() && i < s.sources().size(); i++) {
      Boolean r = s.sources().get(i).check(client, action, topic);
      if (r != null) {
        return r;
      }
    }
    return null;
  }

  public List<String> sourceNames() {
    return state.sources().stream().map(AuthzSource::name).toList();
  }

  @Override
  public boolean isSuperuser(ClientInfo client) {
    return client.username() != null && state.superuser().test(client.username());
  }

  @Override
  public boolean authorize(ClientInfo client, Action action, String topic) {
    State s = state;
    if (client.username() != null && s.superuser().test(client.username())) {
      return true;
    }
    for (AuthzSource src : s.sources()) {
      Boolean r = src.check(client, action, topic);
      if (r != null) {
        return r;
      }
    }
    return s.noMatchAllow();
  }

  @Override
  public boolean authorizeDelivery(ClientInfo client, String topic) {
    State s = state;
    if (client.username() != null && s.superuser().test(client.username())) {
      return true;
    }
    for (AuthzSource src : s.sources()) {
      if (Boolean.FALSE.equals(src.checkDelivery(client, topic))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean checksDelivery(ClientInfo client) {
    State s = state;
    if (client.username() != null && s.superuser().test(client.username())) {
      return false;
    }
    for (AuthzSource src : s.sources()) {
      if (src.checksDelivery(client)) {
        return true;
      }
    }
    return false;
  }

  /** The built-in rules ({@code authorization.rules}) as a source. */
  public static AuthzSource builtIn(AclAuthorizer rules) {
    return new AuthzSource() {
      public String name() {
        return "built_in";
      }

      public Boolean check(ClientInfo client, Action action, String topic) {
        return rules.match(client, action, topic);
      }

      public Boolean checkDelivery(ClientInfo client, String topic) {
        return rules.authorizeDelivery(client, topic);
      }

      public boolean checksDelivery(ClientInfo client) {
        return rules.checksDelivery(client);
      }
    };
  }
}
