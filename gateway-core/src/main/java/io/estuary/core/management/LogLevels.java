package io.estuary.core.management;

import java.util.Locale;
import java.util.Set;
import org.slf4j.LoggerFactory;

/**
 * Changes a logger's level at run time ({@code PUT /api/v5/log/level}, {@code estuary ctl log set-level}).
 * The core depends on SLF4J only; the distribution binds logback, whose {@code Logger.setLevel} is reached
 * by reflection so that the core carries no compile-time dependency on it. Thread-safe (logback's levels are).
 */
final class LogLevels {
  static final Set<String> LEVELS = Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");

  private LogLevels() {}

  /** Sets {@code logger} ("root" or empty = the root logger) to {@code level}; returns the logger's name. */
  static String set(String logger, String level) {
    String lv = level == null ? "" : level.toUpperCase(Locale.ROOT);
    if (!LEVELS.contains(lv)) {
      throw ApiException.badRequest("level must be one of trace, debug, info, warn, error, off; was " + level);
    }
    String name = logger == null || logger.isBlank() || logger.equalsIgnoreCase("root") ? org.slf4j.Logger.ROOT_LOGGER_NAME : logger;
    Object l = LoggerFactory.getLogger(name);
    try {
      Class<?> levelClass = Class.forName("ch.qos.logback.classic.Level", true, l.getClass().getClassLoader());
      Object value = levelClass.getMethod("toLevel", String.class).invoke(null, lv);
      l.getClass().getMethod("setLevel", levelClass).invoke(l, value);
    } catch (ReflectiveOperationException | LinkageError e) {
      throw new ApiException(501, "NOT_SUPPORTED", "log levels can be changed only with logback bound (found "
          + LoggerFactory.getILoggerFactory().getClass().getName() + ")");
    }
    LoggerFactory.getLogger(ManagementApi.class).info("management API: log level of {} set to {}", name, lv);
    return name;
  }
}
