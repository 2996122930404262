package io.estuary.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The tarball {@code mvn package} builds, unpacked in a temp dir and started from another directory. */
@Timeout(120)
class DistributionIT {
  static final String VERSION = System.getProperty("estuary.version", "0.1.0-SNAPSHOT");

  static Path unpack(Path into) throws Exception {
    Path tarball = Path.of("target/estuary-" + VERSION + ".tar.gz").toAbsolutePath();
    assertThat(tarball).as("mvn package builds the tarball").exists();
    Process tar = new ProcessBuilder("tar", "xzf", tarball.toString(), "-C", into.toString()).inheritIO().start();
    assertThat(tar.waitFor(60, TimeUnit.SECONDS) && tar.exitValue() == 0).as("tar xzf").isTrue();
    return into.resolve("estuary-" + VERSION);
  }

  static ProcessBuilder estuary(Path home, Path cwd, String... args) {
    List<String> cmd = new java.util.ArrayList<>(List.of(home.resolve("bin/estuary").toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true);
    pb.environment().remove("ESTUARY_HOME"); // bin/estuary finds its own install directory
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    pb.environment().put("JAVA_OPTS", "-Xmx256m");
    return pb;
  }

  @Test
  void the_tarball_holds_the_launcher_jar_config_service_unit_models_and_docs(@TempDir Path tmp) throws Exception {
    Path home = unpack(tmp);
    assertThat(Files.getPosixFilePermissions(home.resolve("bin/estuary"))).contains(PosixFilePermission.OWNER_EXECUTE);
    assertThat(home.resolve("lib/estuary.jar")).isRegularFile();
    assertThat(home.resolve("etc/estuary.conf")).isRegularFile();
    assertThat(home.resolve("etc/logback.xml")).isRegularFile();
    assertThat(Files.readString(home.resolve("etc/estuary.service"))).contains("ExecStart=/opt/estuary/bin/estuary")
        .contains("NoNewPrivileges=true").contains("ProtectSystem=strict");
    assertThat(home.resolve("docs/operations.md")).isRegularFile();
    try (var models = Files.list(home.resolve("lwm2m_xml"))) {
      assertThat(models.filter(p -> p.toString().endsWith(".xml")).count()).isPositive();
    }
  }

  @Test
  void version_reads_the_build_version(@TempDir Path tmp, @TempDir Path elsewhere) throws Exception {
    Path home = unpack(tmp);
    Process p = estuary(home, elsewhere, "--version").start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(out).as(out).contains("Estuary " + VERSION);
    assertThat(p.exitValue()).isZero();
  }

  @Test
  void started_from_another_directory_it_keeps_its_data_in_the_install_directory(@TempDir Path tmp, @TempDir Path elsewhere)
      throws Exception {
    Path home = unpack(tmp);
    Files.writeString(home.resolve("etc/site.conf"), GatewayProcessConfig.LOOPBACK);
    Process p = estuary(home, elsewhere, "-c", home.resolve("etc/site.conf").toString()).start();
    List<String> lines = new CopyOnWriteArrayList<>();
    Thread reader = new Thread(() -> {
      try (var r = p.inputReader(StandardCharsets.UTF_8)) {
        r.lines().forEach(lines::add);
      } catch (IOException ignored) {
        // process ended
      }
    });
    reader.setDaemon(true);
    reader.start();
    try {
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
          assertThat(String.join("\n", lines)).contains("Estuary started"));
      assertThat(String.join("\n", lines)).contains("listener lwm2m").doesNotContain("ERROR");
      assertThat(home.resolve("data")).isDirectory();
      assertThat(elsewhere.resolve("data")).doesNotExist();
    } finally {
      p.destroy();
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
    }
    assertThat(p.exitValue()).as(String.join("\n", lines)).isZero();
  }

  @Test
  void cds_records_a_class_data_archive_that_the_next_start_maps(@TempDir Path tmp, @TempDir Path elsewhere)
      throws Exception {
    Path home = unpack(tmp);
    Process cds = estuary(home, elsewhere, "cds").start();
    String out = new String(cds.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(cds.waitFor(180, TimeUnit.SECONDS)).as(out).isTrue();
    assertThat(cds.exitValue()).as(out).isZero();
    Path jsa = home.resolve("lib/estuary.jsa");
    assertThat(jsa).as(out).isRegularFile();
    assertThat(Files.size(jsa)).isGreaterThan(1_000_000L);

    Files.writeString(home.resolve("etc/site.conf"), GatewayProcessConfig.LOOPBACK);
    Process p = estuary(home, elsewhere, "-c", home.resolve("etc/site.conf").toString()).start();
    List<String> lines = new CopyOnWriteArrayList<>();
    Thread reader = new Thread(() -> {
      try (var r = p.inputReader(StandardCharsets.UTF_8)) {
        r.lines().forEach(lines::add);
      } catch (IOException ignored) {
        // process ended
      }
    });
    reader.setDaemon(true);
    reader.start();
    try {
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
          assertThat(String.join("\n", lines)).contains("Estuary started"));
      // bin/estuary execs the JVM: the launcher's pid is the gateway's, and its memory maps show the archive
      assertThat(Files.readString(Path.of("/proc/" + p.pid() + "/maps"))).contains(jsa.toString());
    } finally {
      p.destroy();
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
    }
  }

  @Test
  void a_typo_in_the_config_refuses_to_start_with_exit_code_2_and_a_suggestion(@TempDir Path tmp, @TempDir Path elsewhere)
      throws Exception {
    Path home = unpack(tmp);
    Path conf = elsewhere.resolve("typo.conf");
    Files.writeString(conf, "include \"" + home.resolve("etc/estuary.conf") + "\"\nauthentication.allow_anonymus = false\n");
    Process p = estuary(home, elsewhere, "-c", conf.toString()).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isEqualTo(2);
    assertThat(out).contains("authentication.allow_anonymus").contains(conf + " line 2").contains("did you mean allow_anonymous?");
  }

  /** The shipped config with every default listener on loopback port 0. */
  static final class GatewayProcessConfig {
    static final String LOOPBACK = """
        include "estuary.conf"
        listeners.tcp.default.bind = "127.0.0.1:0"
        listeners.ssl.default.bind = "127.0.0.1:0"
        listeners.ws.default.bind = "127.0.0.1:0"
        listeners.wss.default.bind = "127.0.0.1:0"
        api.bind = "127.0.0.1:0"
        gateway.mqttsn.listeners.udp.default.bind = "127.0.0.1:0"
        gateway.coap.listeners.udp.default.bind = "127.0.0.1:0"
        gateway.lwm2m.listeners.udp.default.bind = "127.0.0.1:0"
        gateway.stomp.listeners.tcp.default.bind = "127.0.0.1:0"
        gateway.stomp.listeners.ssl.default.bind = "127.0.0.1:0"
        gateway.stomp.listeners.ws.default.bind = "127.0.0.1:0"
        gateway.tcp.listeners.tcp.default.bind = "127.0.0.1:0"
        gateway.tcp.listeners.ssl.default.bind = "127.0.0.1:0"
        """;

    private GatewayProcessConfig() {
    }
  }
}
