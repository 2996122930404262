/**
 * Topic indexes: the concurrent subscription trie (filters, matched by a topic) and the retained index
 * (topics, matched by a filter). Lock-free reads from any thread; the subscription trie's writes come from
 * session executors, the retained index's from publishing threads, serialised on the index.
 */
package io.estuary.core.topic;
