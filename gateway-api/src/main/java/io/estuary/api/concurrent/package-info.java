/**
 * Concurrency building blocks every adapter and the core share: the serial executor (an actor mailbox
 * on a shared pool). Its state is lock-free and safe from any thread; its tasks run one at a time.
 */
package io.estuary.api.concurrent;
