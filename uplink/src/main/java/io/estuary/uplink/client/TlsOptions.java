package io.estuary.uplink.client;

/**
 * TLS to the upstream broker. Empty file names mean: the JVM's trust store ({@code cacertfile}), no
 * client certificate ({@code certfile}/{@code keyfile}).
 *
 * @param path the config path of this block, for error messages ("uplink.cloud.ssl")
 */
public record TlsOptions(String path, boolean enable, String cacertfile, String certfile, String keyfile, boolean verifyHostname) {
  public TlsOptions {
    cacertfile = cacertfile == null ? "" : cacertfile;
    certfile = certfile == null ? "" : certfile;
    keyfile = keyfile == null ? "" : keyfile;
    if (certfile.isEmpty() != keyfile.isEmpty()) {
      throw new IllegalArgumentException(path + ": certfile and keyfile go together");
    }
  }

  public static TlsOptions disabled(String path) {
    return new TlsOptions(path, false, "", "", "", true);
  }
}
