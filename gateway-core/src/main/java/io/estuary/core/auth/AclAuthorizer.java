package io.estuary.core.auth;

import io.estuary.api.ClientInfo;
import io.estuary.api.topic.Topics;
import java.util.List;
import java.util.function.Predicate;

/**
 * First matching rule wins; {@code noMatchAllow} decides when none matches (EMQX's
 * {@code authorization.no_match}). Superusers skip the rules.
 *
 * <p>Placeholders: {@code ${clientid}} and {@code ${username}} are replaced by the client's values; a
 * topic whose placeholder value is missing, empty or holds a wildcard ({@code + #}) never matches, so
 * client id {@code +} cannot turn {@code devices/${clientid}/#} into {@code devices/+/#} (issue #12).
 *
 * <p>Delivery ({@link #authorizeDelivery}): the first rule for subscribing whose pattern matches the
 * message's concrete topic decides, as mosquitto checks every delivery; {@code eq} rules (about a
 * filter's text, not a topic) take no part, and no match allows (the subscription itself passed the
 * subscribe check, {@code no_match} included). So only deny rules can stop a delivery, and a client no
 * deny rule applies to is not checked at all ({@link #checksDelivery}).
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
  public boolean isSuperuser(ClientInfo client) {
    return client.username() != null && superuser.test(client.username());
  }

  @Override
  public boolean authorize(ClientInfo client, Action action, String topic) {
    if (isSuperuser(client)) {
      return true;
    }
    Boolean r = match(client, action, topic);
    return r != null ? r : noMatchAllow;
  }

  /** The first matching rule's answer, or null when no rule matches (superusers are not special here). */
  public Boolean match(ClientInfo client, Action action, String topic) {
    for (AclRule r : rules) {
      if (appliesTo(r, client, action) && topicMatches(r, client, action, topic)) {
        return r.allow();
      }
    }
    return null;
  }

  @Override
  public boolean checksDelivery(ClientInfo client) {
    if (isSuperuser(client)) {
      return false;
    }
    for (AclRule r : rules) {
      if (!r.allow() && appliesTo(r, client, Action.SUBSCRIBE) && r.topics().stream().anyMatch(t -> !t.startsWith("eq "))) {
        return true;
      }
    }
    return false;
  }

  @Override
  public boolean authorizeDelivery(ClientInfo client, String topic) {
    if (isSuperuser(client)) {
      return true;
    }
    for (AclRule r : rules) {
      if (appliesTo(r, client, Action.SUBSCRIBE)) {
        for (String t : r.topics()) {
          String pattern = t.startsWith("eq ") ? null : substitute(t, client);
          if (pattern != null && Topics.matches(pattern, topic)) {
            return r.allow();
          }
        }
      }
    }
    return true;
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

  /** The rule topic with its placeholders replaced, or null when a placeholder's value may not be used. */
  static String substitute(String ruleTopic, ClientInfo c) {
    String out = ruleTopic;
    if (out.contains("${username}")) {
      if (!usable(c.username())) {
        return null;
      }
      out = out.replace("${username}", c.username());
    }
    if (out.contains("${clientid}")) {
      if (!usable(c.clientId())) {
        return null;
      }
      out = out.replace("${clientid}", c.clientId());
    }
    return out;
  }

  private static boolean usable(String value) {
    return value != null && !value.isEmpty() && value.indexOf('+') < 0 && value.indexOf('#') < 0;
  }

  private static boolean topicMatches(AclRule r, ClientInfo c, Action action, String topic) {
    for (String t : r.topics()) {
      String pattern = substitute(t, c);
      if (pattern == null) {
        continue; // issue #12: a wildcard (or missing) placeholder value never matches
      }
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
  static boolean filterCovers(String pattern, String filter) {
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
