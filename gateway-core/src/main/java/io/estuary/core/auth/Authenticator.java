package io.estuary.core.auth;

import io.estuary.api.AuthResult;
import io.estuary.api.ClientCredentials;
import java.util.concurrent.CompletionStage;

/** Decides who may connect. Every protocol calls the same one. Must not block the calling thread. */
public interface Authenticator {
  CompletionStage<AuthResult> authenticate(ClientCredentials credentials);
}
