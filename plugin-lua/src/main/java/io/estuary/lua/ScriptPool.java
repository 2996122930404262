package io.estuary.lua;

import io.estuary.api.hooks.HookName;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The {@code num_states} states of one script (VerneMQ runs each script in a pool of states likewise). A call
 * borrows an idle state, waiting at most the call's limit; a state whose call overran its limit or the Java
 * stack is dropped and replaced by a fresh one (its globals may be half-updated), so one bad call cannot
 * poison later ones. Thread-safe.
 */
final class ScriptPool {
  /** No state became idle in time. */
  static final class Busy extends RuntimeException {
    Busy(String m) {
      super(m, null, false, false);
    }
  }

  private final Path file;
  private final List<Path> scriptPath;
  private final List<LuaModule> modules;
  private final long topLevelNanos;
  private final BlockingQueue<LuaState> idle;
  private final Set<HookName> hooks;
  private final int size;
  final AtomicLong calls = new AtomicLong();
  final AtomicLong errors = new AtomicLong();
  final AtomicLong overruns = new AtomicLong();

  /** Builds every state now: a script that does not compile or whose top level fails throws here. */
  ScriptPool(Path file, List<Path> scriptPath, List<LuaModule> modules, int states, long topLevelNanos) {
    this.file = file;
    this.scriptPath = List.copyOf(scriptPath);
    this.modules = List.copyOf(modules);
    this.topLevelNanos = topLevelNanos;
    this.size = states;
    this.idle = new ArrayBlockingQueue<>(states);
    List<LuaState> built = new ArrayList<>();
    for (int i = 0; i < states; i++) {
      built.add(build());
    }
    this.hooks = Set.copyOf(built.get(0).hooks());
    idle.addAll(built);
  }

  private LuaState build() {
    try {
      return new LuaState(file, scriptPath, modules, topLevelNanos);
    } catch (IOException e) {
      throw new UncheckedIOException("script " + file + ": " + e.getMessage(), e);
    }
  }

  Path file() {
    return file;
  }

  Set<HookName> hooks() {
    return hooks;
  }

  int size() {
    return size;
  }

  /** Runs {@code f} on an idle state (waiting at most {@code waitNanos} for one). */
  <T> T with(long waitNanos, Function<LuaState, T> f) throws InterruptedException {
    LuaState s = idle.poll(waitNanos, TimeUnit.NANOSECONDS);
    if (s == null) {
      throw new Busy("no idle Lua state of " + file.getFileName() + " within the call limit");
    }
    calls.incrementAndGet();
    boolean replace = false;
    try {
      return f.apply(s);
    } catch (LuaState.Overrun | StackOverflowError e) {
      replace = true;
      overruns.incrementAndGet();
      throw e;
    } catch (RuntimeException e) {
      errors.incrementAndGet();
      throw e;
    } finally {
      if (replace) {
        // answer first: the fresh state is built on a thread of its own and joins the pool when ready
        Thread t = new Thread(() -> {
          LuaState back = s;
          try {
            back = build();
          } catch (RuntimeException e) {
            // cannot rebuild (the file changed under us?): keep the old one rather than shrink the pool
          }
          idle.add(back);
        }, "estuary-lua-rebuild");
        t.setDaemon(true);
        t.start();
      } else {
        idle.add(s);
      }
    }
  }
}
