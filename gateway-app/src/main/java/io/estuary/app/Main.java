package io.estuary.app;

import io.estuary.api.ProtocolAdapterFactory;
import io.estuary.core.config.ConfigError;
import io.estuary.core.config.ConfigLoader;
import io.estuary.core.config.GatewayConfig;
import io.estuary.core.management.SysTopics;
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
@Command(name = "estuary", mixinStandardHelpOptions = true, versionProvider = Main.BuildVersion.class,
    description = "IoT protocol edge gateway: MQTT-SN, CoAP, LwM2M, TCP and STOMP into an embedded MQTT broker.",
    subcommands = {Ctl.class, Passwd.class})
public final class Main implements Callable<Integer> {

  @Option(names = {"-c", "--config"}, description = "HOCON config file (default: $ESTUARY_HOME/etc/estuary.conf if present)")
  Path config;

  /** {@code --version}: the version Maven stamped into the jar's manifest. */
  static final class BuildVersion implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"Estuary " + SysTopics.VERSION, "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"};
    }
  }

  public static void main(String[] args) {
    Main plain = plainStart(args);
    int code = plain != null ? plain.startWithoutParser() : new CommandLine(new Main()).execute(args);
    if (code != -1) {
      System.exit(code);
    }
  }

  /**
   * The gateway's own start in its two plain forms, {@code estuary} and {@code estuary -c FILE} (also
   * {@code --config FILE}), or null for anything else (picocli parses it). The plain forms skip building picocli's
   * model of every command and subcommand, a few hundred classes and 0.1–0.4 s of the start (issue #19).
   */
  static Main plainStart(String[] args) {
    if (args.length == 0) {
      return new Main();
    }
    if (args.length != 2 || !(args[0].equals("-c") || args[0].equals("--config")) || args[1].startsWith("-")) {
      return null;
    }
    try {
      Main m = new Main();
      m.config = Path.of(args[1]);
      return m;
    } catch (java.nio.file.InvalidPathException e) {
      return null; // picocli says which value is wrong
    }
  }

  /** {@link #call()} as picocli's {@code execute} runs it: an exception is printed with its stack trace, exit code 1. */
  int startWithoutParser() {
    try {
      return call();
    } catch (Exception e) {
      e.printStackTrace();
      return CommandLine.ExitCode.SOFTWARE;
    }
  }

  /**
   * The install directory every relative path in the config resolves against: {@code ESTUARY_HOME}, else
   * {@code -Destuary.home}, else the directory holding the jar (its parent when the jar sits in {@code lib/}).
   * Never the working directory: {@code cd /tmp && /opt/estuary/bin/estuary} writes nothing into /tmp.
   */
  static Path home(java.util.Map<String, String> env) {
    String h = env.get("ESTUARY_HOME");
    if (h == null || h.isBlank()) {
      h = System.getProperty("estuary.home");
    }
    if (h != null && !h.isBlank()) {
      return Path.of(h).toAbsolutePath().normalize();
    }
    try {
      Path jar = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath();
      Path dir = Files.isDirectory(jar) ? jar : jar.getParent();
      return (dir.getFileName() != null && dir.getFileName().toString().equals("lib") ? dir.getParent() : dir).normalize();
    } catch (java.net.URISyntaxException | RuntimeException e) {
      throw new IllegalStateException("cannot tell the install directory: set ESTUARY_HOME", e);
    }
  }

  /** {@code -c FILE}, else {@code home}/etc/estuary.conf when present, else null (defaults only). */
  Path configFile(Path home) {
    Path shipped = home.resolve("etc/estuary.conf");
    return config != null ? config : (Files.isRegularFile(shipped) ? shipped : null);
  }

  /**
   * Whether an enabled TLS listener has no {@code ssl_options.certfile}, so an adapter will ask tls-support for the
   * generated certificate: every adapter names the option so (EMQX's name). Only a hint to start the generation
   * early; an adapter that needs the certificate generates it anyway.
   */
  static boolean wantsGeneratedCertificate(com.typesafe.config.Config raw) {
    for (var e : raw.entrySet()) {
      List<String> path = com.typesafe.config.ConfigUtil.splitPath(e.getKey());
      int n = path.size();
      if (n < 3 || !path.get(n - 1).equals("certfile") || !path.get(n - 2).equals("ssl_options")
          || !String.valueOf(e.getValue().unwrapped()).isEmpty()) {
        continue;
      }
      boolean enabled = true; // the listener's and its adapter's enable (gateway.stomp.enable, ...)
      for (int i = n - 2; enabled && i > 0; i--) {
        List<String> flag = new ArrayList<>(path.subList(0, i));
        flag.add("enable");
        String f = com.typesafe.config.ConfigUtil.joinPath(flag);
        enabled = !raw.hasPath(f) || !Boolean.FALSE.equals(raw.getValue(f).unwrapped());
      }
      if (enabled) {
        return true;
      }
    }
    return false;
  }

  @Override
  public Integer call() throws Exception {
    ClassPreloader.start();
    Path home = home(System.getenv());
    Path file = configFile(home);
    Path logback = file == null ? home.resolve("etc/logback.xml") : file.toAbsolutePath().getParent().resolve("logback.xml");
    if (System.getProperty("logback.configurationFile") == null && Files.isRegularFile(logback)) {
      System.setProperty("logback.configurationFile", logback.toString());
    }
    // logging is set up on its own thread while the config is read (issue #19: start-up), and waited for before
    // anything logs: SLF4J hands a thread that asks during the set-up substitute loggers
    Thread logging = new Thread(org.slf4j.LoggerFactory::getILoggerFactory, "estuary-log-init");
    logging.setDaemon(true);
    logging.start();
    GatewayConfig cfg;
    try {
      cfg = ConfigLoader.load(file, System.getenv(), home);
    } catch (ConfigError e) {
      System.err.println("estuary: " + e.getMessage());
      return 2;
    }
    if (wantsGeneratedCertificate(cfg.raw())) {
      // generated on its own thread while the store opens and the first adapters start (issue #19: start-up)
      io.estuary.tls.GeneratedCertificate.shared();
    }
    Stores.prepare(cfg); // RocksDB's native library loads on its own thread while the rest is set up
    logging.join();
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
