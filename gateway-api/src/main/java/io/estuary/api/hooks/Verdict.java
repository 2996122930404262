package io.estuary.api.hooks;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A plugin's answer to an answered hook (VerneMQ's {@code ok | {ok, Modifiers} | {error, Reason} | next}).
 *
 * @param kind what the plugin decided
 * @param modifiers what to change (OK only; null = nothing)
 * @param error why (ERROR only)
 * @param <M> the hook's modifier record
 */
public record Verdict<M>(Kind kind, M modifiers, String error) {
  public enum Kind {
    /** Granted (with modifiers, maybe); the chain ends here. */
    OK,
    /** Refused; the chain ends here. */
    ERROR,
    /** No opinion: the next plugin is asked; when none is left, the gateway's own rules decide. */
    NEXT
  }

  public Verdict {
    if (kind == null) {
      throw new IllegalArgumentException("kind");
    }
    error = kind == Kind.ERROR ? (error == null || error.isEmpty() ? "not_authorized" : error) : null;
    modifiers = kind == Kind.OK ? modifiers : null;
  }

  public static <M> Verdict<M> ok() {
    return new Verdict<>(Kind.OK, null, null);
  }

  public static <M> Verdict<M> ok(M modifiers) {
    return new Verdict<>(Kind.OK, modifiers, null);
  }

  public static <M> Verdict<M> error(String reason) {
    return new Verdict<>(Kind.ERROR, null, reason);
  }

  public static <M> Verdict<M> next() {
    return new Verdict<>(Kind.NEXT, null, null);
  }

  /** {@link #next()} as a completed stage: what an unimplemented hook answers. */
  public static <M> CompletionStage<Verdict<M>> nextStage() {
    return CompletableFuture.completedFuture(next());
  }

  public boolean isOk() {
    return kind == Kind.OK;
  }

  public boolean isError() {
    return kind == Kind.ERROR;
  }

  public boolean isNext() {
    return kind == Kind.NEXT;
  }
}
