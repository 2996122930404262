package io.estuary.lua;

import java.util.Map;
import org.luaj.vm2.LuaTable;

/**
 * One of vmq_diversity's Lua modules ({@code json}, {@code bcrypt}, {@code kv}, {@code postgres}, {@code redis},
 * …), as a global table in every Lua state of the plugin's pool. One instance per plugin: what it shares across
 * states (database pools, kv tables, the auth cache) lives in the instance; {@link #table} is called once per
 * state to build that state's view of it. Functions of the table run on the script threads (never an I/O
 * thread) and may block (a database call); they raise a Lua error for bad arguments, which the runtime logs and
 * turns into a deny.
 *
 * <p>Found by {@link java.util.ServiceLoader} ({@code META-INF/services/io.estuary.lua.LuaModule}, a public
 * no-argument constructor); the runtime calls {@link #start} once, then {@link #table} per state.
 */
public interface LuaModule extends AutoCloseable {

  /** The global name scripts use ({@code postgres}, {@code json}, …). */
  String name();

  /** Called once before the first {@link #table}, with the plugin's config ({@code plugins.lua.*}, flattened). */
  default void start(Map<String, String> config) {
  }

  /** A new table of this module's functions for one Lua state. */
  LuaTable table();

  /** Releases what the module holds (pools, connections) at plugin stop. */
  @Override
  default void close() {
  }
}
