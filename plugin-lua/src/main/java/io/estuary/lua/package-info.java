/**
 * The Lua plugin (issue #17): VerneMQ vmq_diversity-compatible scripts as a {@link
 * io.estuary.api.hooks.HookPlugin}. {@link io.estuary.lua.LuaModule} is the contract of the modules scripts see.
 * Threads: scripts run on the plugin's own script threads, one call per Lua state at a time.
 */
package io.estuary.lua;
