package io.estuary.tcp;

import io.estuary.api.AdapterConfig;
import io.estuary.tcp.TcpConfig.Identity;
import io.estuary.tcp.TcpConfig.IdentitySource;
import io.estuary.tcp.TcpConfig.Listener;
import io.estuary.tcp.TcpConfig.TlsOptions;
import io.estuary.tcp.codec.Framing;
import io.estuary.tls.TlsVersions;
import java.io.File;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Binds {@code gateway.tcp} to {@link TcpConfig}. The block's own keys have their defaults in reference.conf; a
 * listener's keys (a named listener is an open map entry) default here to the same values as {@code
 * listeners.tcp.default}'s, so every listener has the same fixed, documented key set. Every problem is an error
 * naming the key, the value and what was expected.
 */
public final class TcpConfigReader {
  private TcpConfigReader() {}

  public static TcpConfig read(AdapterConfig c) {
    int upQos = range(c, "up_qos", c.getInt("up_qos"), 0, 2, "0, 1 or 2");
    int dnQos = range(c, "dn_qos", c.getInt("dn_qos"), 0, 2, "0, 1 or 2");
    int maxPacket = (int) Math.min(Integer.MAX_VALUE, c.getBytes("max_packet_size"));
    range(c, "max_packet_size", maxPacket, 1, 65535, "1..65535 bytes (the frame's 2-byte length)");
    Duration idle = positive(c, "idle_timeout", c.getDuration("idle_timeout"));
    Duration expiry = c.getDuration("session_expiry_interval");
    if (expiry.isNegative()) {
      throw c.invalid("session_expiry_interval", "a duration >= 0");
    }
    int mqueue = range(c, "max_mqueue_len", c.getInt("max_mqueue_len"), 0, Integer.MAX_VALUE, ">= 0 (0 = the broker's)");
    List<Listener> listeners = new ArrayList<>();
    if (c.has("listeners")) {
      AdapterConfig all = c.getConfig("listeners");
      for (String type : all.keys()) {
        if (!type.equals("tcp") && !type.equals("ssl")) {
          throw all.invalid(type, "a listener type: tcp or ssl");
        }
        for (Map.Entry<String, AdapterConfig> e : c.enabledListeners(type).entrySet()) {
          listeners.add(listener(type, e.getKey(), e.getValue()));
        }
      }
    }
    return new TcpConfig(template(c, "up_topic"), template(c, "dn_topic"), upQos, dnQos, maxPacket, idle,
        c.getBoolean("clean_start"), expiry, mqueue, listeners);
  }

  private static String template(AdapterConfig c, String key) {
    String t = c.getString(key);
    if (t.isEmpty() || t.contains("+") || t.contains("#")) {
      throw c.invalid(key, "a topic without wildcards; %c/${clientid} and %u/${username} are replaced");
    }
    return t;
  }

  private static Listener listener(String type, String name, AdapterConfig l) {
    int maxConnections = l.has("max_connections") ? l.getInt("max_connections") : 1_024_000;
    if (maxConnections < 0) {
      throw l.invalid("max_connections", ">= 0");
    }
    boolean proxy = l.has("proxy_protocol") && l.getBoolean("proxy_protocol");
    Duration proxyTimeout = positive(l, "proxy_protocol_timeout",
        l.has("proxy_protocol_timeout") ? l.getDuration("proxy_protocol_timeout") : Duration.ofSeconds(3));
    Duration keepAlive = l.has("keepalive") ? l.getDuration("keepalive") : Duration.ZERO;
    if (keepAlive.isNegative()) {
      throw l.invalid("keepalive", "a duration >= 0 (0 = never)");
    }
    TlsOptions tls = type.equals("ssl") ? tls(l) : null;
    Framing framing = l.has("framing") ? framing(l.getConfig("framing")) : null;
    Identity identity = null;
    if (framing != null) {
      identity = identity(l.has("identity") ? l.getConfig("identity") : null, l);
      if (identity.source() == IdentitySource.CERTIFICATE_CN && (tls == null || !tls.verifyPeer())) {
        throw l.invalid("identity.from", "certificate_cn only on an ssl listener with ssl_options.verify = verify_peer");
      }
    }
    io.estuary.api.limits.Rate connRate;
    try {
      connRate = io.estuary.api.limits.Rate.parse(l.has("max_conn_rate") ? l.getString("max_conn_rate") : "infinity");
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw l.invalid("max_conn_rate", "a rate such as \"100/s\" or infinity");
    }
    return new Listener(type, name, l.getAddress("bind"), maxConnections, proxy, proxyTimeout, tls, framing, identity,
        keepAlive, connRate, rate(l, "messages_rate", "\"100/s\""), rate(l, "bytes_rate", "\"64KB/s\""));
  }

  /** A per-client rate ({@code messages_rate}, {@code bytes_rate}); absent = infinity. */
  private static io.estuary.api.limits.Rate rate(AdapterConfig l, String key, String example) {
    try {
      return io.estuary.api.limits.Rate.parse(l.has(key) ? l.getString(key) : "infinity");
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw l.invalid(key, "a rate such as " + example + " or infinity");
    }
  }

  /** null for {@code type = emqx}. */
  static Framing framing(AdapterConfig f) {
    String type = f.has("type") ? f.getString("type") : "emqx";
    int max = f.has("max_frame_length") ? (int) Math.min(Integer.MAX_VALUE, f.getBytes("max_frame_length")) : 65535;
    range(f, "max_frame_length", max, 1, 16 * 1024 * 1024, "1B..16MB");
    switch (type) {
      case "emqx" -> {
        return null;
      }
      case "line" -> {
        return Framing.Delimiter.line(max);
      }
      case "fixed" -> {
        int n = f.has("fixed_length") ? f.getInt("fixed_length") : 0;
        return new Framing.Fixed(range(f, "fixed_length", n, 1, max, "1..max_frame_length"));
      }
      case "delimiter" -> {
        List<byte[]> ds = new ArrayList<>();
        for (String d : f.has("delimiters") ? f.getStringList("delimiters") : List.<String>of()) {
          ds.add(delimiter(f, d));
        }
        if (ds.isEmpty()) {
          throw f.invalid("delimiters", "one or more delimiters, e.g. [\"\\r\\n\"] or [\"hex:7e\"]");
        }
        return new Framing.Delimiter("delimiter", ds, max);
      }
      case "length_field" -> {
        AdapterConfig lf = f.has("length_field") ? f.getConfig("length_field") : null;
        int offset = lf != null && lf.has("offset") ? lf.getInt("offset") : 0;
        int size = lf != null && lf.has("size") ? lf.getInt("size") : 2;
        String order = lf != null && lf.has("byte_order") ? lf.getString("byte_order") : "big";
        int adjustment = lf != null && lf.has("adjustment") ? lf.getInt("adjustment") : 0;
        int strip = lf != null && lf.has("strip") ? lf.getInt("strip") : offset + size;
        AdapterConfig at = lf != null ? lf : f;
        if (offset < 0 || offset > 1024) {
          throw at.invalid("offset", "0..1024");
        }
        if (size != 1 && size != 2 && size != 3 && size != 4 && size != 8) {
          throw at.invalid("size", "1, 2, 3, 4 or 8 bytes");
        }
        if (!order.equals("big") && !order.equals("little")) {
          throw at.invalid("byte_order", "big or little");
        }
        if (strip < 0 || (strip > 0 && strip < offset + size)) {
          throw at.invalid("strip", "0 (keep the header) or >= offset + size (" + (offset + size) + ")");
        }
        return new Framing.LengthField(offset, size, order.equals("big") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN,
            adjustment, strip, max);
      }
      default -> throw f.invalid("type", "emqx, length_field, delimiter, line or fixed");
    }
  }

  /** {@code "hex:0d0a"} or a string whose UTF-8 bytes are the delimiter (HOCON escapes such as "\r\n", "\u0003"). */
  private static byte[] delimiter(AdapterConfig f, String d) {
    if (d.startsWith("hex:")) {
      try {
        byte[] b = HexFormat.of().parseHex(d.substring(4));
        if (b.length > 0) {
          return b;
        }
      } catch (IllegalArgumentException e) {
        // falls through to the error below
      }
      throw f.invalid("delimiters", "\"hex:\" followed by an even number of hex digits");
    }
    if (d.isEmpty()) {
      throw f.invalid("delimiters", "non-empty delimiters");
    }
    return d.getBytes(StandardCharsets.UTF_8);
  }

  private static Identity identity(AdapterConfig i, AdapterConfig listener) {
    AdapterConfig at = i != null ? i : listener;
    String from = i != null && i.has("from") ? i.getString("from") : "peer_address";
    IdentitySource source;
    try {
      source = IdentitySource.valueOf(from.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw at.invalid("from", "peer_address, certificate_cn, hello_regex or hello_bytes");
    }
    Pattern regex = null;
    if (source == IdentitySource.HELLO_REGEX) {
      try {
        regex = Pattern.compile(i != null && i.has("regex") ? i.getString("regex") : "");
      } catch (PatternSyntaxException e) {
        throw at.invalid("regex", "a Java regular expression (" + e.getDescription() + ")");
      }
      if (regex.pattern().isEmpty()) {
        throw at.invalid("regex", "a non-empty regular expression for identity.from = hello_regex");
      }
    }
    int offset = i != null && i.has("offset") ? i.getInt("offset") : 0;
    int length = i != null && i.has("length") ? i.getInt("length") : 0;
    if (source == IdentitySource.HELLO_BYTES && (offset < 0 || length < 1 || length > 256)) {
      throw at.invalid("length", "offset >= 0 and length 1..256 for identity.from = hello_bytes");
    }
    String encoding = i != null && i.has("encoding") ? i.getString("encoding") : "text";
    if (!encoding.equals("text") && !encoding.equals("hex")) {
      throw at.invalid("encoding", "text or hex");
    }
    boolean publishHello = i != null && i.has("publish_hello") && i.getBoolean("publish_hello");
    return new Identity(source, regex, offset, length, encoding.equals("hex"), publishHello);
  }

  private static TlsOptions tls(AdapterConfig listener) {
    if (!listener.has("ssl_options")) {
      return new TlsOptions("", "", "", false, false, TlsVersions.DEFAULT, null);
    }
    AdapterConfig s = listener.getConfig("ssl_options");
    String verify = s.has("verify") ? s.getString("verify") : "verify_none";
    if (!verify.equals("verify_none") && !verify.equals("verify_peer")) {
      throw s.invalid("verify", "verify_none or verify_peer");
    }
    List<String> versions;
    List<String> ciphers;
    try {
      versions = TlsVersions.versions(s.has("versions") ? s.getStringList("versions") : List.of());
    } catch (IllegalArgumentException e) {
      throw s.invalid("versions", "TLS versions tlsv1.3 and/or tlsv1.2 (" + e.getMessage() + ")");
    }
    try {
      ciphers = TlsVersions.ciphers(s.has("ciphers") ? s.getStringList("ciphers") : List.of());
    } catch (IllegalArgumentException e) {
      throw s.invalid("ciphers", "cipher suites this JVM supports (" + e.getMessage() + ")");
    }
    TlsOptions t = new TlsOptions(str(s, "certfile"), str(s, "keyfile"), str(s, "cacertfile"), verify.equals("verify_peer"),
        s.has("fail_if_no_peer_cert") && s.getBoolean("fail_if_no_peer_cert"), versions, ciphers);
    if (!t.selfSigned()) {
      requireFile(s, "certfile", t.certFile());
      requireFile(s, "keyfile", t.keyFile());
    }
    if (!t.caCertFile().isEmpty()) {
      requireFile(s, "cacertfile", t.caCertFile());
    }
    if (t.verifyPeer() && t.caCertFile().isEmpty()) {
      throw s.invalid("cacertfile", "the CA that signs client certificates when verify = verify_peer");
    }
    return t;
  }

  private static String str(AdapterConfig c, String key) {
    return c.has(key) ? c.getString(key) : "";
  }

  private static void requireFile(AdapterConfig c, String key, String path) {
    if (!new File(path).isFile()) {
      throw c.invalid(key, "a readable PEM file");
    }
  }

  private static int range(AdapterConfig c, String key, long v, long min, long max, String expected) {
    if (v < min || v > max) {
      throw c.invalid(key, expected);
    }
    return (int) v;
  }

  private static Duration positive(AdapterConfig c, String key, Duration d) {
    if (d.isNegative() || d.isZero()) {
      throw c.invalid(key, "a duration > 0");
    }
    return d;
  }
}
