package io.estuary.api;

/** Identifies one delivery to one session; unique within the session for its lifetime. */
public record DeliveryId(long value) {}
