/**
 * vmq_diversity's Lua modules ({@code json}, {@code log}, {@code kv}, {@code bcrypt}, {@code auth_cache},
 * {@code obf}, {@code http}, {@code crypto}), each a {@link io.estuary.lua.LuaModule} found by ServiceLoader. Their
 * functions run on the plugin's script threads; what a module shares across Lua states (kv tables, the ACL
 * cache, HTTP pools) is held in thread-safe structures of the module instance.
 */
package io.estuary.lua.modules;
