/** End-to-end tests of the Lua plugin: real clients of every protocol through one script (test threads only). */
package io.estuary.lua.it;
