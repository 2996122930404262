package io.estuary.lwm2m.bootstrap;

import java.util.Objects;

/**
 * What a bootstrap request gets: its device's {@link Plan}, or why there is none, the {@code failed} event's
 * reason (the device is answered 4.00 "no bootstrap config" either way). Immutable.
 *
 * @param plan the plan, or null when refused
 * @param failure null, or {@link #NO_BOOTSTRAP_CONFIG} (no config, one that cannot be applied, or too many
 *     sessions) or {@link #MAX_PROVISIONED} ({@code bootstrap.max_provisioned})
 */
record Planned(Plan plan, String failure) {
  static final String NO_BOOTSTRAP_CONFIG = "no_bootstrap_config";
  static final String MAX_PROVISIONED = "max_provisioned";

  Planned {
    if ((plan == null) == (failure == null)) {
      throw new IllegalArgumentException("a plan or a failure: " + plan + ", " + failure);
    }
  }

  static Planned of(Plan plan) {
    return new Planned(Objects.requireNonNull(plan), null);
  }

  static Planned refused(String failure) {
    return new Planned(null, failure);
  }
}
