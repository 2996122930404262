package io.estuary.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import io.estuary.testkit.TestGateway;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code estuary ctl}, run from the packaged jar as a user runs it, against a test gateway's management API. */
@Timeout(120)
class CtlIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  static TestGateway gw;
  static Mqtt5BlockingClient device;

  /** Exit code and standard output (standard error appended) of one {@code estuary ctl} run. */
  record Run(int exit, String out) {}

  @BeforeAll
  static void start() {
    gw = TestGateway.builder().start();
    device = Mqtt5Client.builder().identifier("ctl-device").serverHost("127.0.0.1").serverPort(gw.mqttPort()).buildBlocking();
    device.connect();
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  static Run ctlAt(String api, String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of("--api", api));
    all.addAll(List.of(args));
    return ctlIn(gw.dataDir().getParent(), all.toArray(String[]::new));
  }

  /**
   * {@code estuary ctl args...} run as a user on the gateway's machine would: {@code dir} is the install directory
   * ({@code ESTUARY_HOME}, as bin/estuary sets it; its data/ is the gateway's), the working directory is elsewhere.
   */
  static Run ctlIn(Path dir, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", GatewayProcess.jar().toString(), "ctl"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(Path.of(System.getProperty("java.io.tmpdir")).toFile())
        .redirectErrorStream(true);
    pb.environment().put("ESTUARY_HOME", dir.toString());
    pb.environment().remove("ESTUARY_API_KEY");
    pb.environment().remove("ESTUARY_API_SECRET");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("ctl exits").isTrue();
    return new Run(p.exitValue(), out);
  }

  static Run ctl(String... args) throws Exception {
    return ctlAt("127.0.0.1:" + gw.apiAddress().getPort(), args);
  }

  @Test
  void clients_works_with_no_flags_on_the_gateways_machine() throws Exception {
    Run r = ctlIn(gw.dataDir().getParent(), "clients", "--json");
    assertThat(r.exit()).as(r.out()).isZero();
    assertThat(JSON.readTree(r.out()).get("data")).anySatisfy(s ->
        assertThat(s.get("clientid").asText()).isEqualTo("ctl-device"));
    Path keyFile = gw.dataDir().resolve("ctl.key");
    assertThat(Files.getPosixFilePermissions(keyFile)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.getPosixFilePermissions(gw.dataDir())).isEqualTo(PosixFilePermissions.fromString("rwx------"));
  }

  @Test
  void without_the_local_key_the_api_answers_401_and_ctl_says_how_to_get_in(@TempDir Path elsewhere) throws Exception {
    Run r = ctlIn(elsewhere, "--api", "127.0.0.1:" + gw.apiAddress().getPort(), "clients");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).contains("BAD_API_KEY_OR_SECRET").contains("--key");
    assertThat(r.out()).doesNotContain("ctl-device");
  }

  @Test
  void api_key_create_prints_a_key_and_secret_that_work_from_another_directory(@TempDir Path elsewhere) throws Exception {
    Run created = ctl("api-key", "create", "--name", "ci-bot");
    assertThat(created.exit()).as(created.out()).isZero();
    Matcher key = Pattern.compile("api_key += (\\S+)").matcher(created.out());
    Matcher secret = Pattern.compile("api_secret += (\\S+)").matcher(created.out());
    assertThat(key.find()).as(created.out()).isTrue();
    assertThat(secret.find()).as(created.out()).isTrue();
    Run withKey = ctlIn(elsewhere, "--api", "127.0.0.1:" + gw.apiAddress().getPort(), "--key", key.group(1),
        "--secret", secret.group(1), "clients");
    assertThat(withKey.exit()).as(withKey.out()).isZero();
    assertThat(withKey.out()).contains("ctl-device");
    Run listed = ctl("api-key", "list");
    assertThat(listed.out()).contains("ci-bot").doesNotContain(secret.group(1));
  }

  @Test
  void status_prints_the_node_line_and_exits_0() throws Exception {
    Run r = ctl("status");
    assertThat(r.exit()).as(r.out()).isZero();
    assertThat(r.out()).contains("Node estuary-test@127.0.0.1 is started");
  }

  @Test
  void clients_and_client_print_the_sessions_as_json_with_the_json_flag() throws Exception {
    Run all = ctl("clients", "list", "--json");
    assertThat(all.exit()).as(all.out()).isZero();
    assertThat(JSON.readTree(all.out()).get("data")).anySatisfy(s ->
        assertThat(s.get("clientid").asText()).isEqualTo("ctl-device"));
    Run one = ctl("clients", "show", "ctl-device", "--json");
    assertThat(one.exit()).as(one.out()).isZero();
    assertThat(JSON.readTree(one.out()).get("conn_state").asText()).isEqualTo("connected");
    Run missing = ctl("client", "nobody");
    assertThat(missing.exit()).as("a 404 is a failure").isEqualTo(1);
    assertThat(missing.out()).contains("CLIENTID_NOT_FOUND");
  }

  @Test
  void clients_list_prints_a_table_with_a_header_row_and_the_page_line() throws Exception {
    Run all = ctl("clients", "list");
    assertThat(all.exit()).as(all.out()).isZero();
    List<String> lines = all.out().lines().toList();
    assertThat(lines.get(0)).startsWith("clientid").contains("proto_name").contains("conn_state");
    assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("ctl-device").contains("MQTT").contains("connected"));
    assertThat(lines.get(lines.size() - 1)).startsWith("page 1, 100 per page,");
    Run one = ctl("clients", "show", "ctl-device");
    assertThat(one.out()).containsPattern("(?m)^clientid +: ctl-device$");
  }

  @Test
  void subscriptions_retainer_and_gateways_print_tables() throws Exception {
    device.subscribeWith().topicFilter("ctl/sub/#").send(); // hivemq-mqtt-client subscribes with QoS 2 by default
    device.publishWith().topic("ctl/kept").payload("v".getBytes(StandardCharsets.UTF_8)).retain(true)
        .qos(com.hivemq.client.mqtt.datatypes.MqttQos.AT_LEAST_ONCE).send();
    Run subs = ctl("subscriptions", "list", "--clientid", "ctl-device");
    assertThat(subs.exit()).as(subs.out()).isZero();
    assertThat(subs.out()).containsPattern("(?m)^ctl-device +ctl/sub/# +2");
    Run shown = ctl("subscriptions", "show", "ctl-device");
    assertThat(shown.out()).contains("ctl/sub/#");
    Run topics = ctl("retainer", "topics");
    assertThat(topics.out()).containsPattern("(?m)^ctl/kept +1 +ctl-device");
    Run info = ctl("retainer", "info");
    assertThat(info.out()).containsPattern("retained.count : [1-9]");
    Run clean = ctl("retainer", "clean", "ctl/kept");
    assertThat(clean.exit()).as(clean.out()).isZero();
    assertThat(ctl("retainer", "show", "ctl/kept").exit()).isEqualTo(1);
    Run gateways = ctl("gateways", "list");
    assertThat(gateways.exit()).as(gateways.out()).isZero();
    assertThat(gateways.out()).startsWith("(none)");
  }

  @Test
  void log_set_level_changes_a_logger_at_run_time() throws Exception {
    org.slf4j.Logger probe = org.slf4j.LoggerFactory.getLogger("io.estuary.ctl.probe");
    Run r = ctl("log", "set-level", "io.estuary.ctl.probe", "trace");
    assertThat(r.exit()).as(r.out()).isZero();
    assertThat(probe.isTraceEnabled()).isTrue();
    Run back = ctl("log", "set-level", "io.estuary.ctl.probe", "warn");
    assertThat(back.exit()).isZero();
    assertThat(probe.isInfoEnabled()).isFalse();
    Run bad = ctl("log", "set-level", "loud");
    assertThat(bad.exit()).isEqualTo(1);
    assertThat(bad.out()).contains("BAD_REQUEST");
  }

  @Test
  void kick_disconnects_the_client_and_a_second_kick_fails() throws Exception {
    Mqtt5BlockingClient victim = Mqtt5Client.builder().identifier("ctl-victim").serverHost("127.0.0.1")
        .serverPort(gw.mqttPort()).buildBlocking();
    victim.connect();
    Run kick = ctl("kick", "ctl-victim");
    assertThat(kick.exit()).as(kick.out()).isZero();
    await().atMost(Duration.ofSeconds(10)).until(() -> !victim.getState().isConnected());
    await().atMost(Duration.ofSeconds(10)).until(() -> gw.session("ctl-victim") == null);
    assertThat(ctl("kick", "ctl-victim").exit()).isEqualTo(1);
  }

  @Test
  void usage_errors_and_an_unreachable_api_exit_non_zero_with_a_message() throws Exception {
    Run noId = ctl("kick");
    assertThat(noId.exit()).isEqualTo(2);
    assertThat(noId.out()).contains("needs a client id");
    Run unknown = ctl("reboot");
    assertThat(unknown.exit()).isEqualTo(2);
    assertThat(unknown.out()).contains("unknown command reboot");
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    Run down = ctlAt("127.0.0.1:" + closedPort, "status");
    assertThat(down.exit()).isEqualTo(1);
    assertThat(down.out()).contains("cannot reach 127.0.0.1:" + closedPort);
  }

  @Test
  void script_show_lists_the_lua_scripts_and_script_reload_of_an_unknown_file_fails_with_a_message() throws Exception {
    Run show = ctl("--json", "script", "show");
    assertThat(show.exit()).as(show.out()).isZero();
    assertThat(JSON.readTree(show.out()).get("data").isArray()).isTrue(); // the shipped gateway runs no script
    Run reload = ctl("script", "reload", "path=nope.lua");
    assertThat(reload.exit()).isNotZero();
    assertThat(reload.out()).contains("no script").contains("nope.lua");
    Run usage = ctl("script", "load");
    assertThat(usage.exit()).isEqualTo(2);
    assertThat(usage.out()).contains("script show | reload");
  }

  @Test
  void trace_start_writes_every_packet_in_and_out_of_that_client_only_until_trace_stop() throws Exception {
    Run start = ctl("--json", "trace", "start", "client=traced-dev");
    assertThat(start.exit()).as(start.out()).isZero();
    Path file = Path.of(JSON.readTree(start.out()).get("file").asText());
    assertThat(ctl("trace", "list").out()).contains("traced-dev");
    Mqtt5BlockingClient traced = Mqtt5Client.builder().identifier("traced-dev").serverHost("127.0.0.1")
        .serverPort(gw.mqttPort()).simpleAuth().username("alice").password("s3cret".getBytes(StandardCharsets.UTF_8))
        .applySimpleAuth().buildBlocking();
    traced.connect();
    try (Mqtt5BlockingClient.Mqtt5Publishes in = traced.publishes(com.hivemq.client.mqtt.MqttGlobalPublishFilter.ALL)) {
      traced.subscribeWith().topicFilter("trace/#").qos(com.hivemq.client.mqtt.datatypes.MqttQos.AT_LEAST_ONCE).send();
      device.publishWith().topic("trace/other").payload(new byte[] {1, 2, 3}).send(); // the untraced publisher
      assertThat(in.receive(10, TimeUnit.SECONDS)).isPresent();
      traced.publishWith().topic("trace/own").qos(com.hivemq.client.mqtt.datatypes.MqttQos.AT_LEAST_ONCE)
          .payload(new byte[] {9}).send();
      assertThat(in.receive(10, TimeUnit.SECONDS)).isPresent();
    }
    traced.disconnect();
    // the writer flushes whenever its queue is empty: the DISCONNECT line shows the gateway has read it
    await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(file).contains("traced-dev DISCONNECT("));
    Run stop = ctl("--json", "trace", "stop", "client=traced-dev");
    assertThat(stop.exit()).as(stop.out()).isZero();
    List<String> lines = Files.readAllLines(file);
    assertThat(lines).as("%s", lines).anyMatch(l -> l.matches(".* mqtt IN  traced-dev CONNECT\\(v5, c: \"traced-dev\", u: \"alice\", p: \\*+,.*"))
        .anyMatch(l -> l.contains("mqtt OUT traced-dev CONNACK(sp: 0, rc: 0"))
        .anyMatch(l -> l.contains("mqtt IN  traced-dev SUBSCRIBE("))
        .anyMatch(l -> l.contains("mqtt OUT traced-dev SUBACK("))
        .anyMatch(l -> l.contains("mqtt OUT traced-dev PUBLISH(d0, q0, r0, m0, \"trace/other\") with payload of 3 bytes"))
        .anyMatch(l -> l.contains("mqtt IN  traced-dev PUBLISH(d0, q1, r0, m") && l.contains("\"trace/own\"") && l.endsWith("with payload of 1 bytes"))
        .anyMatch(l -> l.contains("mqtt OUT traced-dev PUBACK("))
        .anyMatch(l -> l.contains("mqtt IN  traced-dev DISCONNECT("))
        .noneMatch(l -> l.contains("ctl-device"))
        .noneMatch(l -> l.contains("s3cret"));
    Run again = ctl("trace", "stop", "client=traced-dev");
    assertThat(again.exit()).isNotZero();
    assertThat(again.out()).contains("not traced");
  }
}
