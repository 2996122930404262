/** The runnable gateway: main, CLI and the composition root. Runs on the main thread until a stop signal. */
package io.estuary.app;
