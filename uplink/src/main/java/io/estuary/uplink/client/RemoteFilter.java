package io.estuary.uplink.client;

/** One upstream subscription. */
public record RemoteFilter(String filter, int qos) {}
