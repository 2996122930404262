package io.estuary.lwm2m.registration;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.IntPredicate;
import io.estuary.lwm2m.mapping.NodeJson;
import org.eclipse.leshan.core.model.LwM2mModel;
import org.eclipse.leshan.core.observation.CompositeObservation;
import org.eclipse.leshan.core.observation.SingleObservation;
import org.eclipse.leshan.core.request.DownlinkDeviceManagementRequest;
import org.eclipse.leshan.core.response.LwM2mResponse;
import org.eclipse.leshan.server.registration.Registration;

/** What an endpoint needs of the Leshan server; callbacks arrive on Leshan's threads. */
public interface Downlink {
  void send(Registration reg, DownlinkDeviceManagementRequest<? extends LwM2mResponse> request, Duration timeout,
      Consumer<LwM2mResponse> onResponse, Consumer<Exception> onError);

  /** False while a queue-mode device sleeps. */
  boolean isAwake(Registration reg);

  LwM2mModel model(Registration reg);

  /** Object ids no model knows for this device: their answers are marked model-less and typed by the wire. */
  default IntPredicate modelless(Registration reg) {
    if (reg == null) {
      return NodeJson.ALL_MODELLED;
    }
    LwM2mModel model = model(reg);
    return id -> model.getObjectModel(id) == null;
  }

  /** The active observation of {@code path}, or null. */
  SingleObservation observation(Registration reg, String path);

  /** The active composite observation of exactly {@code paths} (in any order), or null. */
  CompositeObservation compositeObservation(Registration reg, List<String> paths);

  /** Forgets the composite observations of {@code paths} (passive cancel). */
  void forgetCompositeObservations(Registration reg, List<String> paths);

  /** Forgets observations of {@code path} (passive cancel: the next notification gets RST). */
  void forgetObservations(Registration reg, String path);

  /** Ends the registration: the device must register again. */
  void removeRegistration(Registration reg);
}
