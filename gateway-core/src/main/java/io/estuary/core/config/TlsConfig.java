package io.estuary.core.config;

/**
 * TLS options of a listener (EMQX's {@code ssl_options}). Empty cert/key files mean a self-signed
 * certificate generated at start (logged as a warning).
 */
public record TlsConfig(String certFile, String keyFile, String caCertFile, boolean verifyPeer, boolean failIfNoPeerCert) {
  public boolean selfSigned() {
    return certFile.isEmpty() || keyFile.isEmpty();
  }
}
