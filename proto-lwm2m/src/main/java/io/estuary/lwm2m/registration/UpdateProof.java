package io.estuary.lwm2m.registration;

import io.estuary.cf.KnownSources;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.List;
import org.eclipse.leshan.core.observation.Observation;
import org.eclipse.leshan.server.registration.Registration;
import org.eclipse.leshan.server.registration.RegistrationListener;
import org.eclipse.leshan.server.registration.RegistrationUpdate;

/**
 * {@code known_source_rule = reachable}: a registration update proves the address it came from. It was sent to the
 * location the registration's 2.01 gave (Leshan's random registration id), which only a receiver at the registering
 * address has seen, so a spoofed source cannot make its forged address known with one; the registration itself
 * proves nothing (anyone can send a REGISTER from any address). The address becomes known on the server's plain UDP
 * listeners for {@code lifetime_max}.
 */
public final class UpdateProof implements RegistrationListener {
  private final List<KnownSources> known;

  /** {@code known}: the server's plain UDP listeners' tables (shared with their endpoints). */
  public UpdateProof(List<KnownSources> known) {
    this.known = known;
  }

  @Override
  public void updated(RegistrationUpdate update, Registration updatedReg, Registration previousReg) {
    InetSocketAddress from = updatedReg.getSocketAddress();
    if (from != null && from.getAddress() != null) {
      known.forEach(k -> k.proven(from.getAddress()));
    }
  }

  @Override
  public void registered(Registration reg, Registration previousReg, Collection<Observation> previousObservations) {}

  @Override
  public void unregistered(Registration reg, Collection<Observation> observations, boolean expired,
      Registration newReg) {}
}
