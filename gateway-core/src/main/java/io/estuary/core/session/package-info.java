/** Sessions, routing and the broker core. Each session is confined to its SerialExecutor; routing reads concurrent indexes. */
package io.estuary.core.session;
