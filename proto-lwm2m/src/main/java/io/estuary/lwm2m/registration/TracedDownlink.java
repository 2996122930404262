package io.estuary.lwm2m.registration;

import io.estuary.api.GatewayContext;
import io.estuary.api.PacketTrace;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.eclipse.leshan.core.model.LwM2mModel;
import org.eclipse.leshan.core.observation.CompositeObservation;
import org.eclipse.leshan.core.observation.SingleObservation;
import org.eclipse.leshan.core.request.DownlinkDeviceManagementRequest;
import org.eclipse.leshan.core.response.LwM2mResponse;
import org.eclipse.leshan.server.registration.Registration;

/**
 * A {@link Downlink} that writes each request to a traced endpoint (OUT) and its answer or failure (IN) to the
 * endpoint's trace: one {@link GatewayContext#trace} look-up per request while nobody is traced.
 */
final class TracedDownlink implements Downlink {
  private final Downlink delegate;
  private final GatewayContext ctx;

  TracedDownlink(Downlink delegate, GatewayContext ctx) {
    this.delegate = delegate;
    this.ctx = ctx;
  }

  @Override
  public void send(Registration reg, DownlinkDeviceManagementRequest<? extends LwM2mResponse> request, Duration timeout,
      Consumer<LwM2mResponse> onResponse, Consumer<Exception> onError) {
    PacketTrace t = ctx.trace(reg.getEndpoint());
    if (t == null) {
      delegate.send(reg, request, timeout, onResponse, onError);
      return;
    }
    String what = Lwm2mTrace.request(request);
    t.out(what);
    delegate.send(reg, request, timeout, r -> {
      t.in(Lwm2mTrace.response(what + " ->", r));
      onResponse.accept(r);
    }, e -> {
      t.in(what + " -> failed: " + e.getClass().getSimpleName());
      onError.accept(e);
    });
  }

  @Override
  public boolean isAwake(Registration reg) {
    return delegate.isAwake(reg);
  }

  @Override
  public LwM2mModel model(Registration reg) {
    return delegate.model(reg);
  }

  @Override
  public java.util.function.IntPredicate modelless(Registration reg) {
    return delegate.modelless(reg);
  }

  @Override
  public SingleObservation observation(Registration reg, String path) {
    return delegate.observation(reg, path);
  }

  @Override
  public CompositeObservation compositeObservation(Registration reg, List<String> paths) {
    return delegate.compositeObservation(reg, paths);
  }

  @Override
  public void forgetCompositeObservations(Registration reg, List<String> paths) {
    delegate.forgetCompositeObservations(reg, paths);
  }

  @Override
  public void forgetObservations(Registration reg, String path) {
    delegate.forgetObservations(reg, path);
  }

  @Override
  public void removeRegistration(Registration reg) {
    delegate.removeRegistration(reg);
  }
}
