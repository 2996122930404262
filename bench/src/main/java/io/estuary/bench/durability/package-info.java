/**
 * The kill -9 durability stress tool: runs the packaged gateway as a child process, streams QoS 1
 * and QoS 2 publishes to offline persistent subscribers, SIGKILLs it at random points and checks that
 * every acknowledged message is delivered (lost / duplicated counts). Single-threaded per client;
 * each publisher runs on its own thread.
 */
package io.estuary.bench.durability;
