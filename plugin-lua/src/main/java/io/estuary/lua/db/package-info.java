/**
 * vmq_diversity's database modules for Lua scripts: {@code postgres} and {@code mysql} (HikariCP pools over the
 * PostgreSQL and MariaDB JDBC drivers), {@code redis} (Jedis pools) and {@code memcached} (the text protocol over
 * pooled sockets). Threads: a module instance is shared by every Lua state of the plugin; its pool table is a
 * concurrent map, and each call blocks only the script thread that makes it, for at most the pool's timeout.
 */
package io.estuary.lua.db;
