/**
 * Topic names and filters: validation, matching and the concurrent subscription trie. Stateless
 * helpers and lock-free structures; safe from any thread.
 */
package io.estuary.core.topic;
