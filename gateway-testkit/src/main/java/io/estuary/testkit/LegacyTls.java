package io.estuary.testkit;

import java.security.Security;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A TLS client restricted to old protocol versions, to prove a server refuses them. The JDK refuses
 * TLS 1.0/1.1 itself by default ({@code jdk.tls.disabledAlgorithms}); a module whose ITs use this passes
 * {@code -Djava.security.properties=src/test/resources/legacy-tls-allowed.security} to failsafe, so
 * the refusal seen is the gateway's own and not the test JVM's.
 */
public final class LegacyTls {
  private LegacyTls() {}

  /** Fails the test unless this JVM lets a client offer TLS 1.1 (the module's failsafe argLine). */
  public static void requireTls11Enabled() {
    String disabled = Security.getProperty("jdk.tls.disabledAlgorithms");
    if (disabled != null && disabled.contains("TLSv1.1")) {
      throw new AssertionError("the IT JVM must allow TLS 1.1 clients (failsafe argLine "
          + "-Djava.security.properties=src/test/resources/legacy-tls-allowed.security); disabled: " + disabled);
    }
  }

  /**
   * Connects to 127.0.0.1:{@code port} offering only {@code protocol} and handshakes, trusting any
   * certificate: returns the negotiated protocol, or throws what the client recorded (an SSLException).
   */
  public static String handshake(int port, String protocol) throws Exception {
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, new TrustManager[] {new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    }}, null);
    try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      s.setEnabledProtocols(new String[] {protocol});
      s.startHandshake();
      return s.getSession().getProtocol();
    }
  }
}
