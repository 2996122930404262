package io.estuary.stomp.channel;

import io.estuary.stomp.codec.StompFrame;

/**
 * One-line summaries of STOMP frames for packet traces ({@code estuary ctl trace start client=ID}): the
 * command and its headers in wire order, the passcode masked, the body as its size — never its bytes.
 */
public final class FrameSummary {
  private FrameSummary() {}

  /** {@code SEND destination=/queue/a content-type=text/plain body=12B}. */
  public static String of(StompFrame f) {
    StringBuilder b = new StringBuilder(64).append(f.command().name());
    for (StompFrame.Header h : f.headers()) {
      b.append(' ').append(h.name()).append('=');
      b.append(h.name().equals("passcode") ? "******" : h.value());
    }
    return b.append(" body=").append(f.body().size()).append('B').toString();
  }
}
