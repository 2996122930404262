package io.estuary.core.auth;

import java.util.List;

/**
 * One ACL rule, EMQX-style: {@code permission} for {@code who} doing {@code action} on {@code topics}.
 * Topics are filters; {@code ${username}} and {@code ${clientid}} are replaced; {@code eq t} matches t literally.
 *
 * @param who "all", "username:NAME", "clientid:ID" or "protocol:NAME"
 * @param action "publish", "subscribe" or "all"
 */
public record AclRule(boolean allow, String who, String action, List<String> topics) {
  public AclRule {
    topics = List.copyOf(topics);
    if (!who.equals("all") && !who.startsWith("username:") && !who.startsWith("clientid:") && !who.startsWith("protocol:")) {
      throw new IllegalArgumentException("who must be all, username:NAME, clientid:ID or protocol:NAME, was " + who);
    }
    if (!List.of("publish", "subscribe", "all").contains(action)) {
      throw new IllegalArgumentException("action must be publish, subscribe or all, was " + action);
    }
  }
}
