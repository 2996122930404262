package io.estuary.core.hooks;

import com.typesafe.config.Config;
import io.estuary.api.hooks.Verdict;
import io.estuary.core.config.ConfigError;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * {@code hooks.*}: where plugin jars are, the chain order, how long a hook may take and what a late answer
 * counts as.
 *
 * @param pluginsDir jars loaded at start ({@code hooks.plugins_dir}; a missing directory is no plugins)
 * @param order plugin names first in the chain ({@code hooks.order}); the others follow by name
 * @param timeout the longest a plugin may take to answer ({@code hooks.timeout})
 * @param onTimeout what a late auth_on_* answer counts as ({@code hooks.on_timeout}: error, next or ok);
 *     a late on_deliver always delivers the message unchanged
 * @param threads the hook threads ({@code hooks.threads})
 */
public record HooksConfig(Path pluginsDir, List<String> order, Duration timeout, Verdict.Kind onTimeout, int threads) {
  public HooksConfig {
    order = List.copyOf(order);
    if (timeout.isNegative() || timeout.isZero()) {
      throw new ConfigError("hooks.timeout", timeout.toString(), "a positive duration");
    }
    if (threads < 1 || threads > 64) {
      throw new ConfigError("hooks.threads", Integer.toString(threads), "1..64");
    }
  }

  public static HooksConfig defaults() {
    return new HooksConfig(Path.of("plugins"), List.of(), Duration.ofSeconds(5), Verdict.Kind.ERROR, 2);
  }

  /** From the root config ({@code hooks.*}, defaults in gateway-core's reference.conf). */
  public static HooksConfig from(Config root) {
    if (!root.hasPath("hooks")) {
      return defaults();
    }
    Config c = root.getConfig("hooks");
    String t = c.getString("on_timeout").toLowerCase(Locale.ROOT);
    Verdict.Kind kind = switch (t) {
      case "error", "deny" -> Verdict.Kind.ERROR;
      case "next" -> Verdict.Kind.NEXT;
      case "ok", "allow" -> Verdict.Kind.OK;
      default -> throw new ConfigError("hooks.on_timeout", t, "error, next or ok");
    };
    return new HooksConfig(Path.of(c.getString("plugins_dir")), c.getStringList("order"), c.getDuration("timeout"), kind,
        c.getInt("threads"));
  }
}
