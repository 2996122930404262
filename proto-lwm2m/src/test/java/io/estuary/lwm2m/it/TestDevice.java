package io.estuary.lwm2m.it;

import java.io.File;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.leshan.client.observer.LwM2mClientObserverAdapter;
import org.eclipse.leshan.core.ResponseCode;
import org.eclipse.leshan.core.request.RegisterRequest;
import java.util.List;
import org.eclipse.leshan.client.LeshanClient;
import org.eclipse.leshan.client.LeshanClientBuilder;
import org.eclipse.leshan.transport.californium.client.endpoint.CaliforniumClientEndpointsProvider;
import org.eclipse.leshan.transport.californium.client.endpoint.coap.CoapClientProtocolProvider;
import org.eclipse.leshan.client.engine.DefaultRegistrationEngineFactory;
import org.eclipse.leshan.client.object.Device;
import org.eclipse.leshan.client.object.Security;
import org.eclipse.leshan.client.object.Server;
import org.eclipse.leshan.client.resource.BaseInstanceEnabler;
import org.eclipse.leshan.client.resource.ObjectsInitializer;
import org.eclipse.leshan.client.servers.LwM2mServer;
import org.eclipse.leshan.core.model.ObjectLoader;
import org.eclipse.leshan.core.model.ObjectModel;
import org.eclipse.leshan.core.model.StaticModel;
import org.eclipse.leshan.core.CertificateUsage;
import org.eclipse.leshan.core.node.LwM2mResource;
import org.eclipse.leshan.core.node.codec.DefaultLwM2mDecoder;
import org.eclipse.leshan.core.node.codec.DefaultLwM2mEncoder;
import org.eclipse.leshan.core.node.codec.LwM2mValueChecker;
import org.eclipse.leshan.core.node.codec.NodeDecoder;
import org.eclipse.leshan.core.node.codec.NodeEncoder;
import org.eclipse.leshan.core.node.codec.PathDecoder;
import org.eclipse.leshan.core.node.codec.PathEncoder;
import org.eclipse.leshan.core.request.ContentFormat;
import org.eclipse.leshan.core.request.BindingMode;
import org.eclipse.leshan.core.request.argument.Arguments;
import org.eclipse.leshan.core.response.ExecuteResponse;
import org.eclipse.leshan.core.response.ReadResponse;
import org.eclipse.leshan.core.response.WriteResponse;

/** A real Leshan client over UDP on 127.0.0.1 with Device (3) and the example Counter (19999). */
final class TestDevice implements AutoCloseable {
  static final File XML_DIR = new File("../lwm2m_xml").getAbsoluteFile();

  /** Object 19999 from lwm2m_xml: Count (0, R), Label (1, RW), Reset (2, E). */
  static final class Counter extends BaseInstanceEnabler {
    volatile long count;
    volatile String label = "first";

    Counter(int id) {
      super(id);
    }

    void increment() {
      count++;
      fireResourceChange(0);
    }

    @Override
    public ReadResponse read(LwM2mServer server, int resourceId) {
      return switch (resourceId) {
        case 0 -> ReadResponse.success(0, count);
        case 1 -> ReadResponse.success(1, label);
        default -> super.read(server, resourceId);
      };
    }

    @Override
    public WriteResponse write(LwM2mServer server, boolean replace, int resourceId, LwM2mResource value) {
      if (resourceId == 1) {
        label = (String) value.getValue();
        fireResourceChange(1);
        return WriteResponse.success();
      }
      return super.write(server, replace, resourceId, value);
    }

    @Override
    public ExecuteResponse execute(LwM2mServer server, int resourceId, Arguments arguments) {
      if (resourceId == 2) {
        count = 0;
        fireResourceChange(0);
        return ExecuteResponse.success();
      }
      return super.execute(server, resourceId, arguments);
    }

    @Override
    public List<Integer> getAvailableResourceIds(ObjectModel model) {
      return List.of(0, 1, 2);
    }
  }

  final String endpoint;
  final Counter counter = new Counter(0);
  final LeshanClient client;
  /** Each failed register: the server's response code, or "no answer: <exception>" (handshake failed, timeout). */
  final List<String> registrationFailures = new CopyOnWriteArrayList<>();

  TestDevice(String endpoint, InetSocketAddress server, long lifetime, boolean queueMode) {
    this(endpoint, lifetime, queueMode, Security.noSec("coap://127.0.0.1:" + server.getPort(), 123));
  }

  /** A device registering over DTLS with a pre-shared key. */
  static TestDevice psk(String endpoint, InetSocketAddress server, String identity, String key) {
    return new TestDevice(endpoint, 300, false, Security.psk("coaps://127.0.0.1:" + server.getPort(), 123,
        identity.getBytes(java.nio.charset.StandardCharsets.UTF_8), key.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  /**
   * A device registering over DTLS with a pre-shared key whose DTLS stack supports RFC 9146 connection ids
   * (Scandium's {@code DTLS_CONNECTION_ID_LENGTH} = {@code cidLength}; 0 = it uses the server's id only).
   */
  static TestDevice pskWithConnectionId(String endpoint, InetSocketAddress server, String identity, String key,
      int cidLength) {
    return new TestDevice(endpoint, 300, false, Security.psk("coaps://127.0.0.1:" + server.getPort(), 123,
        identity.getBytes(java.nio.charset.StandardCharsets.UTF_8), key.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
        null, c -> c.set(org.eclipse.californium.scandium.config.DtlsConfig.DTLS_CONNECTION_ID_LENGTH, cidLength));
  }

  TestDevice(String endpoint, long lifetime, boolean queueMode, Security security) {
    this(endpoint, lifetime, queueMode, security, null);
  }

  private TestDevice(String endpoint, long lifetime, boolean queueMode, Security security, Set<ContentFormat> formats) {
    this(endpoint, lifetime, queueMode, security, formats, c -> { });
  }

  /** A device over UDP whose encoder and decoder know only {@code formats} (and so does its registration's ct). */
  static TestDevice withFormats(String endpoint, InetSocketAddress server, ContentFormat... formats) {
    return new TestDevice(endpoint, 300, false, Security.noSec("coap://127.0.0.1:" + server.getPort(), 123),
        Set.of(formats));
  }

  /** A device registering over DTLS with an X.509 certificate; it trusts exactly {@code serverCert}. */
  static TestDevice x509(String endpoint, InetSocketAddress server, X509Certificate clientCert, PrivateKey clientKey,
      X509Certificate serverCert) {
    try {
      return new TestDevice(endpoint, 300, false, Security.x509("coaps://127.0.0.1:" + server.getPort(), 123,
          clientCert.getEncoded(), clientKey.getEncoded(), serverCert.getEncoded(),
          CertificateUsage.DOMAIN_ISSUER_CERTIFICATE.code), null);
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A device registering over DTLS with a raw public key; it trusts exactly {@code serverKey}. */
  static TestDevice rpk(String endpoint, InetSocketAddress server, KeyPair clientKeys, PublicKey serverKey) {
    return new TestDevice(endpoint, 300, false, Security.rpk("coaps://127.0.0.1:" + server.getPort(), 123,
        clientKeys.getPublic().getEncoded(), clientKeys.getPrivate().getEncoded(), serverKey.getEncoded()), null);
  }

  private TestDevice(String endpoint, long lifetime, boolean queueMode, Security security, Set<ContentFormat> formats,
      java.util.function.Consumer<org.eclipse.californium.elements.config.Configuration> californium) {
    this.endpoint = endpoint;
    List<ObjectModel> models = new ArrayList<>(ObjectLoader.loadAllDefault());
    models.addAll(ObjectLoader.loadObjectsFromDir(XML_DIR, false));
    ObjectsInitializer init = new ObjectsInitializer(new StaticModel(models));
    init.setInstancesForObject(0, security);
    init.setInstancesForObject(1, queueMode
        ? new Server(123, lifetime, EnumSet.of(BindingMode.U, BindingMode.Q), false, BindingMode.U)
        : new Server(123, lifetime));
    init.setInstancesForObject(3, new Device("Estuary", "test-model", "SN-1"));
    init.setInstancesForObject(19999, counter);
    // instances the server creates are plain in-memory instances
    init.setFactoryForObject(19999, new org.eclipse.leshan.client.resource.BaseInstanceEnablerFactory() {
      @Override
      public BaseInstanceEnabler create() {
        return new org.eclipse.leshan.client.resource.SimpleInstanceEnabler();
      }
    });
    DefaultRegistrationEngineFactory engine = new DefaultRegistrationEngineFactory();
    engine.setQueueMode(queueMode);
    engine.setRequestTimeoutInMs(5000);
    CaliforniumClientEndpointsProvider.Builder eps = new CaliforniumClientEndpointsProvider.Builder(
        new CoapClientProtocolProvider(), new org.eclipse.leshan.transport.californium.client.endpoint.coaps.CoapsClientProtocolProvider());
    eps.setClientAddress(InetAddress.getLoopbackAddress());
    org.eclipse.californium.elements.config.Configuration cf = eps.createDefaultConfiguration();
    californium.accept(cf);
    eps.setConfiguration(cf);
    LeshanClientBuilder builder = new LeshanClientBuilder(endpoint).setObjects(init.create(0, 1, 3, 19999))
        .setRegistrationEngineFactory(engine).setEndpointsProviders(eps.build());
    if (formats != null) {
      Map<ContentFormat, NodeEncoder> enc = new HashMap<>(DefaultLwM2mEncoder.getDefaultNodeEncoders(false));
      Map<ContentFormat, PathEncoder> penc = new HashMap<>(DefaultLwM2mEncoder.getDefaultPathEncoder());
      Map<ContentFormat, NodeDecoder> dec = new HashMap<>(DefaultLwM2mDecoder.getDefaultNodeDecoders(false));
      Map<ContentFormat, PathDecoder> pdec = new HashMap<>(DefaultLwM2mDecoder.getDefaultPathDecoder());
      enc.keySet().retainAll(formats);
      penc.keySet().retainAll(formats);
      dec.keySet().retainAll(formats);
      pdec.keySet().retainAll(formats);
      builder.setEncoder(new DefaultLwM2mEncoder(enc, penc, new LwM2mValueChecker()))
          .setDecoder(new DefaultLwM2mDecoder(dec, pdec));
    }
    client = builder.build();
    client.addObserver(new LwM2mClientObserverAdapter() {
      @Override
      public void onRegistrationFailure(LwM2mServer server, RegisterRequest request, ResponseCode code, String error,
          Exception cause) {
        registrationFailures.add(code != null ? code.toString() : "no answer: " + cause);
      }

      @Override
      public void onRegistrationTimeout(LwM2mServer server, RegisterRequest request) {
        registrationFailures.add("no answer: timeout");
      }
    });
  }

  TestDevice start() {
    client.start();
    return this;
  }

  LwM2mServer server() {
    return client.getRegisteredServers().values().iterator().next();
  }

  @Override
  public void close() {
    client.destroy(true);
  }
}
