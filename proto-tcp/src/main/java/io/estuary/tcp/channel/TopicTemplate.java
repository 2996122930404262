package io.estuary.tcp.channel;

/**
 * EMQX's topic placeholders: {@code %c} and {@code ${clientid}} become the client id, {@code %u} and {@code
 * ${username}} the username (empty when the device gave none). One pass, so a client id holding {@code %u} stays as
 * it is. Stateless.
 */
public final class TopicTemplate {
  private TopicTemplate() {}

  public static String expand(String template, String clientId, String username) {
    String u = username == null ? "" : username;
    StringBuilder out = new StringBuilder(template.length() + clientId.length());
    int i = 0;
    while (i < template.length()) {
      if (template.startsWith("%c", i)) {
        out.append(clientId);
        i += 2;
      } else if (template.startsWith("%u", i)) {
        out.append(u);
        i += 2;
      } else if (template.startsWith("${clientid}", i)) {
        out.append(clientId);
        i += 11;
      } else if (template.startsWith("${username}", i)) {
        out.append(u);
        i += 11;
      } else {
        out.append(template.charAt(i++));
      }
    }
    return out.toString();
  }
}
