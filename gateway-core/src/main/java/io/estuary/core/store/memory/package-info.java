/** In-memory Store: thread-safe maps, nothing survives the process. */
package io.estuary.core.store.memory;
