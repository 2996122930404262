package io.estuary.lwm2m.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
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
import org.eclipse.leshan.core.model.DDFFileParser;
import org.eclipse.leshan.core.model.InvalidDDFFileException;
import org.eclipse.leshan.core.model.ObjectLoader;
import org.eclipse.leshan.core.model.ObjectModel;
import org.eclipse.leshan.core.model.ResourceModel;
import org.eclipse.leshan.core.model.ResourceModel.Operations;
import org.eclipse.leshan.core.model.ResourceModel.Type;
import org.eclipse.leshan.core.model.StaticModel;
import org.eclipse.leshan.core.node.LwM2mResource;
import org.eclipse.leshan.core.response.ReadResponse;
import org.eclipse.leshan.core.response.WriteResponse;

/**
 * A Leshan client over UDP with IPSO objects whose models the gateway ships (3303 Temperature, 3311 Light
 * Control; the client reads them from the shipped registry XMLs) and a private object 32769 that no
 * gateway model knows: Count (0, Integer R), Name (1, String RW), Ratio (2, Float RW), Blob (3, Opaque R),
 * Enabled (4, Boolean RW).
 */
final class SensorDevice implements AutoCloseable {
  static final int PRIVATE = 32769;

  /** IPSO 3303: Sensor Value (5700, Float), Sensor Units (5701, String). */
  static final class Temperature extends BaseInstanceEnabler {
    volatile double value = 21.5;

    void set(double v) {
      value = v;
      fireResourceChange(5700);
    }

    @Override
    public ReadResponse read(LwM2mServer server, int resourceId) {
      return switch (resourceId) {
        case 5700 -> ReadResponse.success(5700, value);
        case 5701 -> ReadResponse.success(5701, "Cel");
        default -> super.read(server, resourceId);
      };
    }

    @Override
    public List<Integer> getAvailableResourceIds(ObjectModel model) {
      return List.of(5700, 5701);
    }
  }

  /** IPSO 3311: On/Off (5850, Boolean RW), Dimmer (5851, Integer RW). */
  static final class Light extends BaseInstanceEnabler {
    volatile boolean on;
    volatile long dimmer = 10;

    @Override
    public ReadResponse read(LwM2mServer server, int resourceId) {
      return switch (resourceId) {
        case 5850 -> ReadResponse.success(5850, on);
        case 5851 -> ReadResponse.success(5851, dimmer);
        default -> super.read(server, resourceId);
      };
    }

    @Override
    public WriteResponse write(LwM2mServer server, boolean replace, int resourceId, LwM2mResource value) {
      switch (resourceId) {
        case 5850 -> on = (Boolean) value.getValue();
        case 5851 -> dimmer = (Long) value.getValue();
        default -> {
          return super.write(server, replace, resourceId, value);
        }
      }
      fireResourceChange(resourceId);
      return WriteResponse.success();
    }

    @Override
    public List<Integer> getAvailableResourceIds(ObjectModel model) {
      return List.of(5850, 5851);
    }
  }

  /** The private object: its model exists on the device only. */
  static final class Private extends BaseInstanceEnabler {
    volatile long count = 7;
    volatile String name = "box";
    volatile double ratio = 0.5;
    volatile boolean enabled = true;

    void increment() {
      count++;
      fireResourceChange(0);
    }

    @Override
    public ReadResponse read(LwM2mServer server, int resourceId) {
      return switch (resourceId) {
        case 0 -> ReadResponse.success(0, count);
        case 1 -> ReadResponse.success(1, name);
        case 2 -> ReadResponse.success(2, ratio);
        case 3 -> ReadResponse.success(3, new byte[] {1, 2, 3});
        case 4 -> ReadResponse.success(4, enabled);
        default -> super.read(server, resourceId);
      };
    }

    @Override
    public WriteResponse write(LwM2mServer server, boolean replace, int resourceId, LwM2mResource value) {
      switch (resourceId) {
        case 1 -> name = (String) value.getValue();
        case 2 -> ratio = (Double) value.getValue();
        case 4 -> enabled = (Boolean) value.getValue();
        default -> {
          return super.write(server, replace, resourceId, value);
        }
      }
      fireResourceChange(resourceId);
      return WriteResponse.success();
    }

    @Override
    public List<Integer> getAvailableResourceIds(ObjectModel model) {
      return List.of(0, 1, 2, 3, 4);
    }
  }

  static ObjectModel privateModel() {
    return new ObjectModel(PRIVATE, "Private", "a vendor object no gateway model knows", "1.0", false, false,
        new ResourceModel(0, "Count", Operations.R, false, false, Type.INTEGER, null, null, null),
        new ResourceModel(1, "Name", Operations.RW, false, false, Type.STRING, null, null, null),
        new ResourceModel(2, "Ratio", Operations.RW, false, false, Type.FLOAT, null, null, null),
        new ResourceModel(3, "Blob", Operations.R, false, false, Type.OPAQUE, null, null, null),
        new ResourceModel(4, "Enabled", Operations.RW, false, false, Type.BOOLEAN, null, null, null));
  }

  /** A model from the XMLs the gateway ships (the device has the same definition). */
  static ObjectModel shipped(int id) {
    String res = "/io/estuary/lwm2m/models/registry/" + id + ".xml";
    try (InputStream in = SensorDevice.class.getResourceAsStream(res)) {
      return new DDFFileParser().parse(in, res).get(0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InvalidDDFFileException e) {
      throw new IllegalStateException(e);
    }
  }

  final String endpoint;
  final Temperature temperature = new Temperature();
  final Light light = new Light();
  final Private vendor = new Private();
  final LeshanClient client;

  SensorDevice(String endpoint, InetSocketAddress server, boolean queueMode) {
    this(endpoint, Security.noSec("coap://127.0.0.1:" + server.getPort(), 123), queueMode);
  }

  SensorDevice(String endpoint, Security security, boolean queueMode) {
    this.endpoint = endpoint;
    List<ObjectModel> models = new ArrayList<>(ObjectLoader.loadAllDefault());
    models.add(shipped(3303));
    models.add(shipped(3311));
    models.add(privateModel());
    ObjectsInitializer init = new ObjectsInitializer(new StaticModel(models));
    init.setInstancesForObject(0, security);
    init.setInstancesForObject(1, queueMode
        ? new Server(123, 300, java.util.EnumSet.of(org.eclipse.leshan.core.request.BindingMode.U,
            org.eclipse.leshan.core.request.BindingMode.Q), false, org.eclipse.leshan.core.request.BindingMode.U)
        : new Server(123, 300));
    init.setInstancesForObject(3, new Device("Estuary", "sensor", "SN-2"));
    init.setInstancesForObject(3303, temperature);
    init.setInstancesForObject(3311, light);
    init.setInstancesForObject(PRIVATE, vendor);
    for (int id : new int[] {3303, 3311, PRIVATE}) {
      init.setFactoryForObject(id, new org.eclipse.leshan.client.resource.BaseInstanceEnablerFactory() {
        @Override
        public BaseInstanceEnabler create() {
          return new org.eclipse.leshan.client.resource.SimpleInstanceEnabler();
        }
      });
    }
    DefaultRegistrationEngineFactory engine = new DefaultRegistrationEngineFactory();
    engine.setQueueMode(queueMode);
    engine.setRequestTimeoutInMs(5000);
    CaliforniumClientEndpointsProvider.Builder eps = new CaliforniumClientEndpointsProvider.Builder(
        new CoapClientProtocolProvider());
    eps.setClientAddress(InetAddress.getLoopbackAddress());
    client = new LeshanClientBuilder(endpoint).setObjects(init.create(0, 1, 3, 3303, 3311, PRIVATE))
        .setRegistrationEngineFactory(engine).setEndpointsProviders(eps.build()).build();
  }

  SensorDevice start() {
    client.start();
    return this;
  }

  @Override
  public void close() {
    client.destroy(true);
  }
}
