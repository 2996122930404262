/**
 * The STOMP 1.0/1.1/1.2 frame codec: bytes ↔ {@link io.estuary.stomp.codec.StompFrame} records. Pure and
 * stateless apart from the limits it is built with; malformed or oversized input is a
 * {@link io.estuary.stomp.codec.DecodeResult.FrameError} value, never an exception, so a transport can
 * answer with ERROR and close. No thread owns anything here: the codec is immutable and shared.
 */
package io.estuary.stomp.codec;
