package io.estuary.core.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import io.estuary.api.AuthResult;
import io.estuary.api.ClientCredentials;
import io.estuary.core.config.ConfigError;
import io.estuary.tls.PemLoader;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code jwt} in {@code authentication.sources}: EMQX 5's JWT authentication ({@code authentication.jwt}).
 * The token comes from the password (or the username, {@code from}); it is verified with an HMAC secret
 * ({@code algorithm = hmac-based}: HS256/384/512) or public keys ({@code public-key}: RS/PS/ES with the key
 * in a PEM file, or the keys of a JWKS {@code endpoint} when {@code use_jwks}). As in EMQX: no token, a
 * token that does not parse, an algorithm of the other family, an unknown key or a bad signature is
 * ignored (the next source is asked); an expired or not-yet-valid token ({@code exp}/{@code nbf}, with
 * {@code leeway}) or a failed {@code verify_claims} is refused (bad credentials). The token's ACL claim
 * goes to {@link JwtAclStore}. Nimbus types stay inside this package. Thread-safe after construction.
 */
final class JwtAuthSource implements AuthSource, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(JwtAuthSource.class);
  private static final Set<JWSAlgorithm> HMAC = Set.of(JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512);
  private static final Set<JWSAlgorithm> PUBLIC = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
      JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512, JWSAlgorithm.ES256, JWSAlgorithm.ES384,
      JWSAlgorithm.ES512);
  /** Tokens longer than this are ignored unparsed (a password field can carry 64 kB). */
  static final int MAX_TOKEN = 16 * 1024;

  private final boolean fromUsername;
  private final byte[] secret;
  private final PublicKey publicKey;
  private final JwksKeys jwks;
  private final Map<String, String> verifyClaims;
  private final String aclClaim;
  private final Duration leeway;
  private final JwtAclStore acls;
  private final Clock clock;

  JwtAuthSource(Config c, JwtAclStore acls, Clock clock, HttpClient http) {
    String p = "authentication.jwt.";
    this.acls = acls;
    this.clock = clock;
    this.fromUsername = switch (c.getString("from")) {
      case "password" -> false;
      case "username" -> true;
      default -> throw new ConfigError(p + "from", c.getString("from"), "password or username");
    };
    this.leeway = c.getDuration("leeway");
    this.aclClaim = c.getString("acl_claim_name");
    Map<String, String> claims = new LinkedHashMap<>();
    for (Map.Entry<String, ConfigValue> e : c.getConfig("verify_claims").root().entrySet()) {
      claims.put(e.getKey(), String.valueOf(e.getValue().unwrapped()));
    }
    this.verifyClaims = Map.copyOf(claims);
    if (c.getBoolean("use_jwks")) {
      String url = c.getString("endpoint");
      if (!url.startsWith("http://") && !url.startsWith("https://")) {
        throw new ConfigError(p + "endpoint", url, "an http(s) URL of a JWKS, since use_jwks = true");
      }
      this.secret = null;
      this.publicKey = null;
      this.jwks = new JwksKeys(URI.create(url), c.getDuration("refresh_interval"), c.getDuration("timeout"), http);
      return;
    }
    this.jwks = null;
    switch (c.getString("algorithm")) {
      case "hmac-based" -> {
        String s = c.getString("secret");
        byte[] b = c.getBoolean("secret_base64_encoded") ? decode(s) : s.getBytes(StandardCharsets.UTF_8);
        if (b == null || b.length < 32) {
          throw new ConfigError(p + "secret", "(hidden)", "at least 32 bytes (256 bits, RFC 7518 3.2)");
        }
        this.secret = b;
        this.publicKey = null;
      }
      case "public-key" -> {
        String f = c.getString("public_key");
        if (f.isEmpty()) {
          throw new ConfigError(p + "public_key", "\"\"", "a PEM file or PEM text (public key or certificate)");
        }
        try {
          this.publicKey = f.trim().startsWith("-----BEGIN") ? PemLoader.publicKeyFromPem(f) : PemLoader.publicKey(Path.of(f));
        } catch (IllegalArgumentException e) {
          throw new ConfigError(p + "public_key", f, "a PEM public key or certificate: " + e.getMessage());
        }
        if (!(publicKey instanceof RSAPublicKey) && !(publicKey instanceof ECPublicKey)) {
          throw new ConfigError(p + "public_key", f, "an RSA or EC key");
        }
        this.secret = null;
      }
      default -> throw new ConfigError(p + "algorithm", c.getString("algorithm"), "hmac-based or public-key");
    }
  }

  private static byte[] decode(String s) {
    try {
      return Base64.getDecoder().decode(s);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  @Override
  public String name() {
    return "jwt";
  }

  @Override
  public boolean slow() {
    return secret == null; // a JWKS lookup may fetch, RSA/EC verification costs CPU; HMAC takes microseconds
  }

  @Override
  public boolean cacheable() {
    return false; // every admission must store (or drop) the client's ACL claim again
  }

  @Override
  public void seen(ClientCredentials c) {
    acls.forget(c.clientId(), c.username()); // whoever decides now, an ACL from an earlier token no longer holds
  }

  @Override
  public AuthResult check(ClientCredentials c) {
    String token = fromUsername ? c.username() : c.password() == null ? null : new String(c.password(), StandardCharsets.UTF_8);
    if (token == null || token.isEmpty() || token.length() > MAX_TOKEN) {
      return null;
    }
    JWTClaimsSet claims;
    try {
      SignedJWT jwt = SignedJWT.parse(token);
      if (!verify(jwt)) {
        LOG.debug("jwt of {}: no key verifies it, ignored", c.clientId());
        return null;
      }
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException | JOSEException | RuntimeException e) {
      LOG.debug("jwt of {}: {}, ignored", c.clientId(), e.toString());
      return null;
    }
    Instant now = clock.instant();
    if (claims.getExpirationTime() != null && !now.isBefore(claims.getExpirationTime().toInstant().plus(leeway))) {
      return AuthResult.badCredentials("the token has expired");
    }
    if (claims.getNotBeforeTime() != null && now.plus(leeway).isBefore(claims.getNotBeforeTime().toInstant())) {
      return AuthResult.badCredentials("the token is not valid yet");
    }
    for (Map.Entry<String, String> e : verifyClaims.entrySet()) {
      String expected = e.getValue().replace("${clientid}", String.valueOf(c.clientId()))
          .replace("${username}", String.valueOf(c.username()));
      Object actual = claims.getClaim(e.getKey());
      if (actual instanceof Date d) {
        actual = d.getTime() / 1000;
      }
      if (actual == null || !expected.equals(String.valueOf(actual))) {
        return AuthResult.badCredentials("claim " + e.getKey() + " does not verify");
      }
    }
    JwtAcl acl;
    try {
      acl = JwtAcl.from(claims, aclClaim);
    } catch (ParseException e) {
      return AuthResult.badCredentials("bad " + aclClaim + " claim: " + e.getMessage());
    }
    if (acl != null && !acls.put(c.clientId(), c.username(), acl)) {
      return AuthResult.notAuthorized("too many clients with JWT ACLs");
    }
    return AuthResult.allowed();
  }

  private boolean verify(SignedJWT jwt) throws JOSEException {
    JWSHeader h = jwt.getHeader();
    JWSAlgorithm alg = h.getAlgorithm();
    if (secret != null) {
      return HMAC.contains(alg) && jwt.verify(new MACVerifier(secret));
    }
    if (!PUBLIC.contains(alg)) {
      return false; // never HMAC with a public key as the secret
    }
    List<PublicKey> keys = new ArrayList<>();
    if (publicKey != null) {
      keys.add(publicKey);
    } else {
      for (JWK k : jwks.select(h)) {
        if (k instanceof RSAKey r) {
          keys.add(r.toRSAPublicKey());
        } else if (k instanceof ECKey e) {
          keys.add(e.toECPublicKey());
        }
      }
    }
    for (PublicKey k : keys) {
      JWSVerifier v = k instanceof RSAPublicKey r && JWSAlgorithm.Family.RSA.contains(alg) ? new RSASSAVerifier(r)
          : k instanceof ECPublicKey e && JWSAlgorithm.Family.EC.contains(alg) ? new ECDSAVerifier(e) : null;
      if (v != null && jwt.verify(v)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() {
    if (jwks != null) {
      jwks.close();
    }
  }
}
