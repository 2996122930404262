package io.estuary.lwm2m.mapping;

import java.util.List;
import org.eclipse.leshan.core.request.DownlinkDeviceManagementRequest;
import org.eclipse.leshan.core.response.LwM2mResponse;

/** What {@link RequestBuilder} made of a command. */
public sealed interface BuildResult {
  /** A request ready to send. */
  record Built(DownlinkDeviceManagementRequest<? extends LwM2mResponse> request) implements BuildResult {}

  /** cancel-observe: the endpoint looks the observation of {@code path} up and cancels it. */
  record CancelObserve(String path) implements BuildResult {}

  /** cancel-observe-composite: the endpoint looks the composite observation of {@code paths} up and cancels it. */
  record CancelObserveComposite(List<String> paths) implements BuildResult {
    public CancelObserveComposite {
      paths = List.copyOf(paths);
    }
  }

  /** The command cannot become a request: answered at once with {@code code}/{@code codeMsg}. */
  record Invalid(String code, String codeMsg, String reason) implements BuildResult {
    static Invalid badRequest(String reason) {
      return new Invalid("4.00", "bad_request", reason);
    }
  }
}
