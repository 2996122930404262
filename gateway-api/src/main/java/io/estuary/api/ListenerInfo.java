package io.estuary.api;

import java.net.InetSocketAddress;

/** A bound listener: protocol, name ("udp:default"), the actual address and whether it is TLS/DTLS. */
public record ListenerInfo(String protocol, String name, InetSocketAddress address, boolean secure) {}
