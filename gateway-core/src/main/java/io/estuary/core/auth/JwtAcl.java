package io.estuary.core.auth;

import com.nimbusds.jwt.JWTClaimsSet;
import io.estuary.api.ClientInfo;
import io.estuary.api.topic.Topics;
import java.text.ParseException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The ACL a JWT carries (EMQX 5's {@code acl} claim), in either form: the older
 * {@code {"pub": [...], "sub": [...], "all": [...]}} (every listed filter allowed) or the list of rules
 * {@code [{"permission": "allow"|"deny", "action": "publish"|"subscribe"|"all", "topic": "t/#"}, ...]} (also
 * {@code "topics": [...]}). Topics may hold {@code ${clientid}} and {@code ${username}} and start with
 * {@code "eq "} for a literal match. First matching rule wins; no match denies (a client whose token
 * carries an ACL gets only what it lists, as in EMQX); after the token's {@code exp} everything is denied.
 * Immutable.
 */
record JwtAcl(List<Rule> rules, Instant expires) {
  /** At most this many rules per token: the claim is input from the token issuer, still bounded. */
  static final int MAX_RULES = 1000;

  /** @param action null: publish and subscribe */
  record Rule(boolean allow, Authorizer.Action action, String topic) {}

  /** The ACL in {@code claims[claimName]}, or null when the token carries none. A malformed claim is a ParseException. */
  static JwtAcl from(JWTClaimsSet claims, String claimName) throws ParseException {
    Object acl = claims.getClaim(claimName);
    if (acl == null) {
      return null;
    }
    List<Rule> rules = new ArrayList<>();
    if (acl instanceof Map<?, ?> m) {
      add(rules, true, Authorizer.Action.PUBLISH, m.get("pub"));
      add(rules, true, Authorizer.Action.SUBSCRIBE, m.get("sub"));
      add(rules, true, null, m.get("all"));
    } else if (acl instanceof List<?> l) {
      for (Object o : l) {
        if (!(o instanceof Map<?, ?> r)) {
          throw new ParseException("an acl rule is not an object", 0);
        }
        boolean allow = switch (String.valueOf(r.get("permission"))) {
          case "allow" -> true;
          case "deny" -> false;
          default -> throw new ParseException("acl permission must be allow or deny", 0);
        };
        Authorizer.Action action = switch (String.valueOf(r.get("action"))) {
          case "publish" -> Authorizer.Action.PUBLISH;
          case "subscribe" -> Authorizer.Action.SUBSCRIBE;
          case "all" -> null;
          default -> throw new ParseException("acl action must be publish, subscribe or all", 0);
        };
        add(rules, allow, action, r.containsKey("topics") ? r.get("topics") : List.of(String.valueOf(r.get("topic"))));
      }
    } else {
      throw new ParseException("the acl claim is neither an object nor a list", 0);
    }
    return new JwtAcl(List.copyOf(rules), claims.getExpirationTime() == null ? null : claims.getExpirationTime().toInstant());
  }

  private static void add(List<Rule> rules, boolean allow, Authorizer.Action action, Object topics) throws ParseException {
    if (topics == null) {
      return;
    }
    if (!(topics instanceof List<?> l)) {
      throw new ParseException("acl topics must be a list", 0);
    }
    for (Object t : l) {
      if (!(t instanceof String s) || s.isEmpty() || rules.size() >= MAX_RULES) {
        throw new ParseException("acl topics must be at most " + MAX_RULES + " non-empty strings", 0);
      }
      rules.add(new Rule(allow, action, s));
    }
  }

  /** TRUE allows, FALSE denies: a token's ACL always decides. */
  boolean check(ClientInfo client, Authorizer.Action action, String topic, Instant now) {
    if (expires != null && !now.isBefore(expires)) {
      return false;
    }
    for (Rule r : rules) {
      if (r.action() != null && r.action() != action) {
        continue;
      }
      String pattern = AclAuthorizer.substitute(r.topic(), client);
      if (pattern == null) {
        continue; // a missing or wildcard placeholder value never matches
      }
      boolean match = pattern.startsWith("eq ") ? pattern.substring(3).equals(topic)
          : action == Authorizer.Action.SUBSCRIBE ? pattern.equals(topic) || AclAuthorizer.filterCovers(pattern, topic)
          : Topics.matches(pattern, topic);
      if (match) {
        return r.allow();
      }
    }
    return false;
  }
}
