/**
 * Topic names and filters as every adapter and the core use them: validation, matching (MQTT 5 §4.7),
 * {@code $share/<group>/<filter>} parsing, and the one mountpoint rule. Pure functions and immutable
 * values; safe from any thread, no state.
 */
package io.estuary.api.topic;
