package io.estuary.core.store;

/**
 * The store cannot take new persistent work (issue #13): a key-value put refused over
 * {@code persistence.max_bytes}, with its writer queue full or its disk failing, or a durability barrier
 * whose batch failed to write. Adapters see it as the failure of the stage; the MQTT publish path turns it
 * into QUOTA_EXCEEDED.
 */
public final class StoreUnavailableException extends IllegalStateException {
  public StoreUnavailableException(String message) {
    super(message);
  }

  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
