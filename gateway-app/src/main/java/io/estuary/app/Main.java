package io.estuary.app;

import io.estuary.api.ProtocolAdapterFactory;
import io.estuary.core.config.ConfigError;
import io.estuary.core.config.ConfigLoader;
import io.estuary.core.config.GatewayConfig;
import io.estuary.core.server.Gateway;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code estuary [-c FILE]}: runs the gateway in the foreground; {@code estuary ctl ...} talks to a running one. */
@Command(name = "estuary", mixinStandardHelpOptions = true, version = "Estuary 0.1.0-SNAPSHOT",
    description = "IoT protocol edge gateway: MQTT-SN, CoAP, LwM2M, TCP and STOMP into an embedded MQTT broker.",
    subcommands = {Ctl.class, Passwd.class})
public final class Main implements Callable<Integer> {

  @Option(names = {"-c", "--config"}, description = "HOCON config file (default: etc/estuary.conf if present)")
  Path config;

  public static void main(String[] args) {
    int code = new CommandLine(new Main()).execute(args);
    if (code != -1) {
      System.exit(code);
    }
  }

  /** {@code -c FILE}, else etc/estuary.conf when present, else null (defaults only). */
  Path configFile() {
    return config != null ? config : (Files.isRegularFile(Path.of("etc/estuary.conf")) ? Path.of("etc/estuary.conf") : null);
  }

  @Override
  public Integer call() throws Exception {
    Path file = configFile();
    Path logback = file == null ? Path.of("etc/logback.xml") : file.toAbsolutePath().getParent().resolve("logback.xml");
    if (System.getProperty("logback.configurationFile") == null && Files.isRegularFile(logback)) {
      System.setProperty("logback.configurationFile", logback.toString());
    }
    GatewayConfig cfg;
    try {
      cfg = ConfigLoader.load(file, System.getenv());
    } catch (ConfigError e) {
      System.err.println("estuary: " + e.getMessage());
      return 2;
    }
    List<ProtocolAdapterFactory> factories = new ArrayList<>();
    ServiceLoader.load(ProtocolAdapterFactory.class).forEach(factories::add);
    // the MQTT listeners first (start, listing, stop), the others in class path order
    factories.sort(java.util.Comparator.comparing(f -> !f.protocol().equals("mqtt")));
    Gateway gateway;
    try {
      gateway = Gateway.start(cfg, factories, Stores.forConfig(), Clock.systemUTC());
    } catch (ConfigError e) {
      System.err.println("estuary: " + e.getMessage());
      return 2;
    } catch (RuntimeException e) {
      org.slf4j.LoggerFactory.getLogger(Main.class).error("cannot start: {}", e.getMessage());
      System.err.println("estuary: cannot start: " + e.getMessage());
      return 1;
    }
    gateway.reloadFrom(() -> ConfigLoader.load(file, System.getenv()));
    try {
      // SIGHUP: read the config and the auth files again, connections stay (as mosquitto and VerneMQ do)
      sun.misc.Signal.handle(new sun.misc.Signal("HUP"), s -> {
        // the signal thread has no context class loader, which Typesafe Config needs for reference.conf
        Thread.currentThread().setContextClassLoader(Main.class.getClassLoader());
        try {
          gateway.reload();
        } catch (RuntimeException e) {
          org.slf4j.LoggerFactory.getLogger(Main.class).error("reload failed, nothing changed: {}", e.getMessage());
        }
      });
    } catch (IllegalArgumentException ignored) {
      // no SIGHUP on this platform: estuary ctl reload still works
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runnable stop = () -> {
      gateway.close();
      stopped.countDown();
    };
    // SIGTERM/SIGINT: stop cleanly and exit 0 (a plain shutdown hook would exit 143)
    for (String sig : new String[] {"TERM", "INT"}) {
      try {
        sun.misc.Signal.handle(new sun.misc.Signal(sig), s -> {
          stop.run();
          System.out.flush();
          System.exit(0);
        });
      } catch (IllegalArgumentException ignored) {
        // signal not available on this platform
      }
    }
    Runtime.getRuntime().addShutdownHook(new Thread(stop, "estuary-shutdown"));
    stopped.await();
    return 0;
  }
}
