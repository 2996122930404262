package io.estuary.lwm2m.bootstrap;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.eclipse.leshan.core.CertificateUsage;
import org.eclipse.leshan.core.SecurityMode;
import org.eclipse.leshan.core.node.LwM2mObjectInstance;
import org.eclipse.leshan.core.node.LwM2mResource;
import org.eclipse.leshan.core.node.LwM2mSingleResource;
import org.eclipse.leshan.core.request.BindingMode;

/**
 * The two object instances a bootstrap writes: the LwM2M server's security account (object 0) and its
 * server account (object 1), with the resources and defaults Leshan's bootstrap server wrote
 * ({@code BootstrapConfig.ServerSecurity} / {@code ServerConfig} and {@code BootstrapUtil}, 2.0.0-M15, our
 * reference since its bootstrap artifacts are not served for M18). Built on one thread, then read only.
 */
final class Accounts {
  /** SMS security mode 3: NoSec (resource 6). */
  private static final int SMS_NO_SEC = 3;

  private Accounts() {}

  /** Security object (0) instance fields; {@link DeviceSecurity} fills the mode and keys. */
  static final class Security {
    String uri;
    SecurityMode securityMode;
    byte[] publicKeyOrId = new byte[0];
    byte[] serverPublicKey = new byte[0];
    byte[] secretKey = new byte[0];
    int serverId;
    /** LwM2M 1.1 resource 15; null = not written. */
    CertificateUsage certificateUsage;

    LwM2mObjectInstance toInstance(int instanceId) {
      List<LwM2mResource> r = new ArrayList<>();
      r.add(LwM2mSingleResource.newStringResource(0, uri));
      r.add(LwM2mSingleResource.newBooleanResource(1, false)); // not a bootstrap server account
      r.add(LwM2mSingleResource.newIntegerResource(2, securityMode.code));
      r.add(LwM2mSingleResource.newBinaryResource(3, publicKeyOrId));
      r.add(LwM2mSingleResource.newBinaryResource(4, serverPublicKey));
      r.add(LwM2mSingleResource.newBinaryResource(5, secretKey));
      r.add(LwM2mSingleResource.newIntegerResource(6, SMS_NO_SEC));
      r.add(LwM2mSingleResource.newBinaryResource(7, new byte[0]));
      r.add(LwM2mSingleResource.newBinaryResource(8, new byte[0]));
      r.add(LwM2mSingleResource.newStringResource(9, ""));
      r.add(LwM2mSingleResource.newIntegerResource(10, serverId));
      r.add(LwM2mSingleResource.newIntegerResource(11, 1)); // client hold off time
      r.add(LwM2mSingleResource.newIntegerResource(12, 0)); // bootstrap server account timeout
      if (certificateUsage != null) {
        r.add(LwM2mSingleResource.newUnsignedIntegerResource(15, certificateUsage.code));
      }
      return new LwM2mObjectInstance(instanceId, r);
    }
  }

  /** Server object (1) instance: short server id, lifetime, default minimum period 1 s, binding. */
  static LwM2mObjectInstance server(int instanceId, int shortId, long lifetime, boolean queueMode) {
    List<LwM2mResource> r = new ArrayList<>();
    r.add(LwM2mSingleResource.newIntegerResource(0, shortId));
    r.add(LwM2mSingleResource.newIntegerResource(1, lifetime));
    r.add(LwM2mSingleResource.newIntegerResource(2, 1));
    r.add(LwM2mSingleResource.newBooleanResource(6, true)); // notification storing when disabled or offline
    r.add(LwM2mSingleResource.newStringResource(7, BindingMode.toString(
        queueMode ? EnumSet.of(BindingMode.U, BindingMode.Q) : EnumSet.of(BindingMode.U))));
    return new LwM2mObjectInstance(instanceId, r);
  }
}
