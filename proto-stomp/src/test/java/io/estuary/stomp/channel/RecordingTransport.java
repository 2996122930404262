package io.estuary.stomp.channel;

import io.estuary.stomp.codec.Command;
import io.estuary.stomp.codec.StompFrame;
import io.estuary.stomp.codec.StompVersion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A transport that records what the channel asked for. */
final class RecordingTransport implements StompTransport {
  final List<StompFrame> sent = new ArrayList<>();
  final List<StompVersion> versions = new ArrayList<>();
  final List<Duration> timers = new ArrayList<>();
  int heartBeats;
  boolean closed;
  boolean reading = true;

  @Override
  public void send(StompFrame frame, StompVersion version) {
    sent.add(frame);
    versions.add(version);
  }

  @Override
  public void sendHeartBeat() {
    heartBeats++;
  }

  @Override
  public void close() {
    closed = true;
  }

  @Override
  public void readEnabled(boolean enabled) {
    reading = enabled;
  }

  @Override
  public void armTimer(Duration delay) {
    timers.add(delay);
  }

  StompFrame last() {
    return sent.get(sent.size() - 1);
  }

  List<StompFrame> of(Command c) {
    return sent.stream().filter(f -> f.command() == c).toList();
  }
}
