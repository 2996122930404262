package io.estuary.lwm2m.registration;

import io.estuary.lwm2m.mapping.Command;
import org.eclipse.leshan.core.request.DownlinkDeviceManagementRequest;
import org.eclipse.leshan.core.response.LwM2mResponse;

/**
 * A command on its way to a device (waiting while it sleeps). {@code journalKey}: its record in the command
 * journal, if it has one; {@code resume}: an observation of the previous run being re-established (never
 * journaled: its record is the observation's).
 */
record Waiting(Command command, DownlinkDeviceManagementRequest<? extends LwM2mResponse> request, long deadlineMillis,
    String journalKey, boolean resume) {
  Waiting(Command command, DownlinkDeviceManagementRequest<? extends LwM2mResponse> request, long deadlineMillis, String journalKey) {
    this(command, request, deadlineMillis, journalKey, false);
  }

  Waiting withKey(String key) {
    return new Waiting(command, request, deadlineMillis, key, resume);
  }
}
