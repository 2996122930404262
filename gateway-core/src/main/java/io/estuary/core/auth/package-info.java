/** Authentication and topic ACLs: the one door every protocol passes. Stateless after construction; safe from any thread. */
package io.estuary.core.auth;
