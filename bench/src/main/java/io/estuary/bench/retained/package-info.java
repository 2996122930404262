/**
 * JMH benchmark of a subscribe's retained-message lookup (issue #13): the retained index against the linear
 * scan it replaced, over the same 1,000,000 retained messages in one run. JMH owns the threads; the state is
 * built once per fork and only read while measuring.
 */
package io.estuary.bench.retained;
