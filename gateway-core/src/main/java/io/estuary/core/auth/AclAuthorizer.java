package io.estuary.core.auth;

import io.estuary.api.ClientInfo;
import io.estuary.api.topic.Topics;
import java.util.List;
import java.util.function.Predicate;

/**
 * First matching rule wins; {@code noMatchAllow} decides when none matches (EMQX's
 * {@code authorization.no_match}). Superusers skip the rules.
 */
public final class AclAuthorizer implements Authorizer {
  private final List<AclRule> rules;
  private final boolean noMatchAllow;
  private final Predicate<String> superuser;

  public AclAuthorizer(List<AclRule> rules, boolean noMatchAllow, Predicate<String> superuser) {
    this.rules = List.copyOf(rules);
    this.noMatchAllow = noMatchAllow;
    this.superuser = superuser;
  }

  @Override
  public boolean authorize(ClientInfo client, Action action, String topic) {
    if (client.username() != null && superuser.test(client.username())) {
      return true;
    }
    for (AclRule r : rules) {
      if (appliesTo(r, client, action) && topicMatches(r, client, action, topic)) {
        return r.allow();
      }
    }
    return noMatchAllow;
  }

  private static boolean appliesTo(AclRule r, ClientInfo c, Action action) {
    if (!r.action().equals("all") && !r.action().equals(action == Action.PUBLISH ? "publish" : "subscribe")) {
      return false;
    }
    String who = r.who();
    if (who.equals("all")) {
      return true;
    }
    if (who.startsWith("username:")) {
      return who.substring(9).equals(c.username());
    }
    if (who.startsWith("clientid:")) {
      return who.substring(9).equals(c.clientId());
    }
    return who.substring(9).equals(c.protocol());
  }

  private static boolean topicMatches(AclRule r, ClientInfo c, Action action, String topic) {
    for (String t : r.topics()) {
      String pattern = t.replace("${username}", c.username() == null ? "" : c.username()).replace("${clientid}", c.clientId());
      if (pattern.startsWith("eq ")) {
        if (pattern.substring(3).equals(topic)) {
          return true;
        }
      } else if (action == Action.SUBSCRIBE ? (pattern.equals(topic) || filterCovers(pattern, topic)) : Topics.matches(pattern, topic)) {
        return true;
      }
    }
    return false;
  }

  /** A subscribe filter is covered when every topic it can match is matched by the rule pattern. */
  private static boolean filterCovers(String pattern, String filter) {
    if (!Topics.hasWildcard(filter)) {
      return Topics.matches(pattern, filter);
    }
    // conservative: wildcard filters need the pattern to match the filter text literally level by level
    String[] p = pattern.split("/", -1);
    String[] f = filter.split("/", -1);
    for (int i = 0; i < f.length; i++) {
      if (i >= p.length) {
        return false;
      }
      if (p[i].equals("#")) {
        return true;
      }
      if (!p[i].equals("+") && !p[i].equals(f[i])) {
        return false;
      }
      if (p[i].equals("+") && f[i].equals("#")) {
        return false;
      }
    }
    return p.length == f.length;
  }
}
