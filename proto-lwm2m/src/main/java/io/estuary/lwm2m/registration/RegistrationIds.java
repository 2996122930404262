package io.estuary.lwm2m.registration;

import java.security.SecureRandom;
import java.util.Random;
import org.eclipse.leshan.core.request.RegisterRequest;
import org.eclipse.leshan.server.registration.RegistrationIdProvider;

/**
 * Registration ids — the {@code <id>} of the {@code /rd/<id>} location a REGISTER's 2.01 gives — that nobody but the
 * registering device can know: {@value #LENGTH} characters drawn from a {@link SecureRandom} (~95 bits).
 *
 * <p>On a plain-UDP listener the id is all that authorizes a registration update or de-registration: Leshan accepts
 * either from any address for a device without security information (an update from a new address moves the
 * registration there, as after a NAT rebinding), and the gateway takes an update as the proof that an address
 * receives what it is sent ({@link UpdateProof}). Leshan's own provider draws its 10 characters from
 * {@link java.util.Random}, a 48-bit linear congruential generator whose state a device can work out from the ids of
 * a few registrations of its own; it could then predict other devices' ids and de-register them or redirect their
 * traffic from a forged address.
 */
public final class RegistrationIds implements RegistrationIdProvider {
  /** Characters in an id: 62^16 ≈ 2^95. */
  public static final int LENGTH = 16;
  private static final char[] ALPHABET =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();

  private final Random random;

  public RegistrationIds() {
    this(new SecureRandom());
  }

  /** With {@code random} as the source (tests). */
  RegistrationIds(Random random) {
    this.random = random;
  }

  @Override
  public String getRegistrationId(RegisterRequest request) {
    char[] id = new char[LENGTH];
    synchronized (random) {
      for (int i = 0; i < LENGTH; i++) {
        id[i] = ALPHABET[random.nextInt(ALPHABET.length)];
      }
    }
    return new String(id);
  }
}
