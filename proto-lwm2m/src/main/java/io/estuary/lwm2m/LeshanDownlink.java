package io.estuary.lwm2m;

import io.estuary.lwm2m.mapping.Command;
import io.estuary.lwm2m.registration.Downlink;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.eclipse.leshan.core.model.LwM2mModel;
import org.eclipse.leshan.core.node.LwM2mPath;
import org.eclipse.leshan.core.observation.CompositeObservation;
import org.eclipse.leshan.core.observation.Observation;
import org.eclipse.leshan.core.observation.SingleObservation;
import org.eclipse.leshan.core.request.DownlinkDeviceManagementRequest;
import org.eclipse.leshan.core.response.LwM2mResponse;
import org.eclipse.leshan.server.LeshanServer;
import org.eclipse.leshan.server.registration.Registration;

/** {@link Downlink} over a running {@link LeshanServer}. */
final class LeshanDownlink implements Downlink {
  private final LeshanServer server;

  LeshanDownlink(LeshanServer server) {
    this.server = server;
  }

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public void send(Registration reg, DownlinkDeviceManagementRequest<? extends LwM2mResponse> request, Duration timeout,
      Consumer<LwM2mResponse> onResponse, Consumer<Exception> onError) {
    try {
      server.send(reg, (DownlinkDeviceManagementRequest) request, timeout.toMillis(), r -> onResponse.accept((LwM2mResponse) r),
          onError::accept);
    } catch (RuntimeException e) {
      onError.accept(e);
    }
  }

  @Override
  public boolean isAwake(Registration reg) {
    return !reg.usesQueueMode() || server.getPresenceService().isClientAwake(reg);
  }

  @Override
  public LwM2mModel model(Registration reg) {
    return server.getModelProvider().getObjectModel(reg);
  }

  @Override
  public SingleObservation observation(Registration reg, String path) {
    for (Observation o : server.getObservationService().getObservations(reg)) {
      if (o instanceof SingleObservation s && s.getPath().toString().equals(path)) {
        return s;
      }
    }
    return null;
  }

  @Override
  public CompositeObservation compositeObservation(Registration reg, List<String> paths) {
    String key = Command.compositeKey(paths);
    for (Observation o : server.getObservationService().getObservations(reg)) {
      if (o instanceof CompositeObservation c
          && Command.compositeKey(c.getPaths().stream().map(LwM2mPath::toString).toList()).equals(key)) {
        return c;
      }
    }
    return null;
  }

  @Override
  public void forgetCompositeObservations(Registration reg, List<String> paths) {
    // by the observation itself: Leshan's cancelCompositeObservations(reg, paths) wants them in their original order
    CompositeObservation c = compositeObservation(reg, paths);
    if (c != null) {
      server.getObservationService().cancelObservation(c);
    }
  }

  @Override
  public void forgetObservations(Registration reg, String path) {
    server.getObservationService().cancelObservations(reg, path);
  }

  @Override
  public void removeRegistration(Registration reg) {
    server.getRegistrationStore().removeRegistration(reg.getId());
  }
}
