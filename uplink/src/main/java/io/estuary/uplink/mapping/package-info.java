/**
 * Pure topic mapping between the local broker and an upstream broker: topic templates, filter
 * matching, forward and subscription rules and the loop-prevention origin marker. Immutable values
 * and pure functions only; safe from any thread.
 */
package io.estuary.uplink.mapping;
