package io.estuary.lwm2m.persistence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import io.estuary.lwm2m.registration.Lwm2mUris;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Date;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.eclipse.leshan.core.LwM2m.LwM2mVersion;
import org.eclipse.leshan.core.LwM2m.Version;
import org.eclipse.leshan.core.link.DefaultLinkParser;
import org.eclipse.leshan.core.link.DefaultLinkSerializer;
import org.eclipse.leshan.core.link.Link;
import org.eclipse.leshan.core.link.LinkParseException;
import org.eclipse.leshan.core.node.LwM2mPath;
import org.eclipse.leshan.core.peer.IpPeer;
import org.eclipse.leshan.core.peer.LwM2mIdentity;
import org.eclipse.leshan.core.peer.LwM2mPeer;
import org.eclipse.leshan.core.peer.PskIdentity;
import org.eclipse.leshan.core.peer.RpkIdentity;
import org.eclipse.leshan.core.peer.X509Identity;
import org.eclipse.leshan.core.request.BindingMode;
import org.eclipse.leshan.core.request.ContentFormat;
import org.eclipse.leshan.server.registration.Registration;

/**
 * A Leshan {@link Registration} as JSON and back. Pure; {@link #decode} returns null (never throws) for
 * bytes it cannot read, so one bad record cannot stop a gateway from starting.
 */
public final class RegistrationJson {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int VERSION = 1;

  private RegistrationJson() {}

  public static byte[] encode(Registration r) {
    ObjectNode o = JSON.createObjectNode();
    o.put("v", VERSION);
    o.put("id", r.getId());
    o.put("ep", r.getEndpoint());
    InetSocketAddress a = r.getSocketAddress();
    o.put("addr", a.getAddress().getHostAddress());
    o.put("port", a.getPort());
    identity(o, r.getClientTransportData().getIdentity());
    o.put("uri", Lwm2mUris.toUri(r.getEndpointUri()).toString());
    o.put("regDate", r.getRegistrationDate().getTime());
    o.put("lastUpdate", r.getLastUpdate().getTime());
    o.put("lt", r.getLifeTimeInSec());
    if (r.getSmsNumber() != null) {
      o.put("sms", r.getSmsNumber());
    }
    o.put("lwm2m", r.getLwM2mVersion().toString());
    StringBuilder b = new StringBuilder();
    r.getBindingMode().forEach(m -> b.append(m.name()));
    o.put("b", b.toString());
    if (r.getQueueMode() != null) {
      o.put("queue", r.getQueueMode());
    }
    if (r.getObjectLinks() != null) {
      o.put("links", new DefaultLinkSerializer().serializeCoreLinkFormat(r.getObjectLinks()));
    }
    if (r.getRootPath() != null) {
      o.put("root", r.getRootPath());
    }
    ArrayNode cf = o.putArray("cf");
    r.getSupportedContentFormats().forEach(f -> cf.add(f.getCode()));
    ObjectNode objects = o.putObject("objects");
    r.getSupportedObject().forEach((id, v) -> objects.put(id.toString(), v.toString()));
    ArrayNode inst = o.putArray("instances");
    r.getAvailableInstances().forEach(p -> inst.add(p.toString()));
    // the register's extra attributes (Leshan 2.0.0-M18 keeps them as the registration's custom data)
    map(o.putObject("attrs"), r.getCustomRegistrationData());
    return o.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The registration, or null when {@code bytes} is not one this class wrote. */
  public static Registration decode(byte[] bytes) {
    try {
      JsonNode o = JSON.readTree(bytes);
      if (o == null || !o.isObject() || o.path("v").asInt() != VERSION) {
        return null;
      }
      InetSocketAddress addr = new InetSocketAddress(InetAddress.getByName(o.get("addr").asText()), o.get("port").asInt());
      LwM2mPeer peer = new IpPeer(addr, identity(o, addr));
      Registration.Builder b = new Registration.Builder(o.get("id").asText(), o.get("ep").asText(), peer,
          Lwm2mUris.of(new URI(o.get("uri").asText())))
          .registrationDate(new Date(o.get("regDate").asLong()))
          .lastUpdate(new Date(o.get("lastUpdate").asLong()))
          .lifeTimeInSec(o.get("lt").asLong())
          .lwM2mVersion(LwM2mVersion.get(o.get("lwm2m").asText()))
          .bindingMode(bindings(o.path("b").asText()));
      if (o.has("sms")) {
        b.smsNumber(o.get("sms").asText());
      }
      if (o.has("queue")) {
        b.queueMode(o.get("queue").asBoolean());
      }
      if (o.has("links")) {
        b.objectLinks(new DefaultLinkParser().parseCoreLinkFormat(o.get("links").asText().getBytes(StandardCharsets.UTF_8)));
      } else {
        b.objectLinks(new Link[0]);
      }
      if (o.has("root")) {
        b.rootPath(o.get("root").asText());
      }
      Set<ContentFormat> cf = new HashSet<>();
      o.path("cf").forEach(n -> cf.add(ContentFormat.fromCode(n.asInt())));
      b.supportedContentFormats(cf);
      Map<Integer, Version> objects = new HashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = o.path("objects").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        objects.put(Integer.valueOf(e.getKey()), new Version(e.getValue().asText()));
      }
      b.supportedObjects(objects);
      Set<LwM2mPath> inst = new HashSet<>();
      o.path("instances").forEach(n -> inst.add(new LwM2mPath(n.asText())));
      b.availableInstances(inst);
      // "app": the application data of registrations stored before Leshan 2.0.0-M18, merged in
      Map<String, String> custom = new HashMap<>(map(o.path("app")));
      custom.putAll(map(o.path("attrs")));
      b.customRegistrationData(custom);
      return b.build();
    } catch (IOException | LinkParseException | java.net.URISyntaxException | java.security.GeneralSecurityException
        | RuntimeException e) {
      return null;
    }
  }

  /** {@code r} as received on another server endpoint (the listener's address changed across a restart). */
  public static Registration withEndpointUri(Registration r, org.eclipse.leshan.core.endpoint.EndpointUri uri) {
    try {
      ObjectNode o = (ObjectNode) JSON.readTree(encode(r));
      o.put("uri", Lwm2mUris.toUri(uri).toString());
      return decode(o.toString().getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void identity(ObjectNode o, LwM2mIdentity id) {
    if (id instanceof PskIdentity p) {
      o.put("psk", p.getPskIdentity());
    } else if (id instanceof X509Identity x) {
      o.put("x509", x.getX509CommonName());
    } else if (id instanceof RpkIdentity k) {
      o.put("rpk", Base64.getEncoder().encodeToString(k.getPublicKey().getEncoded()));
      o.put("rpkAlg", k.getPublicKey().getAlgorithm());
    }
  }

  private static LwM2mIdentity identity(JsonNode o, InetSocketAddress addr) throws java.security.GeneralSecurityException {
    if (o.has("psk")) {
      return new PskIdentity(o.get("psk").asText());
    }
    if (o.has("x509")) {
      return new X509Identity(o.get("x509").asText());
    }
    if (o.has("rpk")) {
      PublicKey k = KeyFactory.getInstance(o.get("rpkAlg").asText())
          .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(o.get("rpk").asText())));
      return new RpkIdentity(k);
    }
    return new org.eclipse.leshan.core.peer.SocketIdentity(addr);
  }

  private static EnumSet<BindingMode> bindings(String s) {
    EnumSet<BindingMode> modes = EnumSet.noneOf(BindingMode.class);
    for (char c : s.toCharArray()) {
      modes.add(BindingMode.valueOf(String.valueOf(c)));
    }
    return modes;
  }

  private static void map(ObjectNode o, Map<String, String> m) {
    if (m != null) {
      m.forEach(o::put);
    }
  }

  private static Map<String, String> map(JsonNode o) {
    Map<String, String> m = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      m.put(e.getKey(), e.getValue().asText());
    }
    return m;
  }
}
