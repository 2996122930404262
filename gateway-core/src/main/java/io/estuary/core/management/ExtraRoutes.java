package io.estuary.core.management;

import java.util.List;
import java.util.Map;

/**
 * Management API calls served outside this package (webhooks registration, reload): asked after the
 * built-in routes, on the API's handler threads, with a valid API key already checked.
 */
public interface ExtraRoutes {
  /** An answer: HTTP status and a JSON-serialisable body (null: no body). */
  record Answer(int status, Object body) {}

  /** The answer, or null when {@code path} is not one of these routes. */
  Answer handle(String method, String path, Map<String, List<String>> query, String body) throws Exception;
}
