package io.estuary.core.api;

/** Identifies one delivery to one session; unique within the session for its lifetime. */
public record DeliveryId(long value) {}
