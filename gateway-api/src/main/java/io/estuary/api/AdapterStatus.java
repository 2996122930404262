package io.estuary.api;

/** Coarse adapter state for health and status output. */
public enum AdapterStatus { STARTING, RUNNING, STOPPING, STOPPED, FAILED }
