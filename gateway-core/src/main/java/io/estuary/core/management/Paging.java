package io.estuary.core.management;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** EMQX's paging: {@code page} from 1, {@code limit} 1..10000 (default 100), {@code {data, meta{page, limit, count, hasnext}}}. */
final class Paging {
  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 10_000;

  private Paging() {}

  static Map<String, Object> page(List<?> all, ApiRequest r) {
    int page = r.intParam("page", 1, 1, Integer.MAX_VALUE);
    int limit = r.intParam("limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
    long from = (long) (page - 1) * limit;
    List<?> data = from >= all.size() ? List.of() : all.subList((int) from, (int) Math.min(all.size(), from + limit));
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("page", page);
    meta.put("limit", limit);
    meta.put("count", all.size());
    meta.put("hasnext", from + limit < all.size());
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("data", data);
    out.put("meta", meta);
    return out;
  }
}
