/**
 * Pure codecs of the TCP gateway: EMQX's transparent TCP framing ({@link io.estuary.tcp.codec.EmqxTcpCodec}) and the
 * configurable framings of devices whose firmware nobody can change ({@link io.estuary.tcp.codec.Framing}). Bytes in,
 * {@link io.estuary.tcp.codec.DecodeResult} out: device input is hostile, so malformed, truncated and oversized input is
 * a {@link io.estuary.tcp.codec.FrameError} value, never an exception. Stateless and immutable: any thread.
 */
package io.estuary.tcp.codec;
