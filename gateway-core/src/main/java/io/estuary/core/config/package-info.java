/** Configuration: HOCON loading, environment overrides, validated records. Immutable after load. */
package io.estuary.core.config;
