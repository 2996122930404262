package io.estuary.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import io.estuary.testkit.ExternalPeers;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code estuary passwd} edits the same file as Debian's {@code mosquitto_passwd}, in both directions, and
 * Debian's mosquitto admits exactly the users the file holds, with their passwords.
 */
@Timeout(60)
class PasswdCommandIT {
  @TempDir
  Path dir;
  final StringWriter err = new StringWriter();

  int passwd(String... args) {
    CommandLine cl = new CommandLine(new Main());
    cl.setErr(new PrintWriter(err, true));
    String[] all = new String[args.length + 1];
    all[0] = "passwd";
    System.arraycopy(args, 0, all, 1, args.length);
    return cl.execute(all);
  }

  static String connect(int port, String user, String password) {
    var c = Mqtt5Client.builder().identifier("pw-" + System.nanoTime()).serverHost("127.0.0.1").serverPort(port).buildBlocking();
    try {
      c.connectWith().simpleAuth().username(user).password(password.getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send();
      c.disconnect();
      return user + ":ok";
    } catch (Mqtt5ConnAckException e) {
      return user + ":refused";
    }
  }

  @Test
  void a_file_written_by_estuary_passwd_and_mosquitto_passwd_works_in_mosquitto() throws Exception {
    ExternalPeers.require(Files.isExecutable(Path.of("/usr/sbin/mosquitto")) && Files.isExecutable(Path.of("/usr/bin/mosquitto_passwd")),
        "mosquitto not installed");
    Path f = dir.resolve("passwd");
    assertThat(passwd("-c", "-b", f.toString(), "alice", "secret")).isZero();
    assertThat(passwd("-b", f.toString(), "bob", "builder")).isZero();
    assertThat(passwd("-H", "sha512", "-b", f.toString(), "carol", "c4rol")).isZero();
    assertThat(passwd("-b", f.toString(), "bob", "builder2")).isZero(); // replaces bob's entry in place
    assertThat(passwd("-D", f.toString(), "carol")).isZero();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
    Process p = new ProcessBuilder("/usr/bin/mosquitto_passwd", "-b", f.toString(), "dave", "d4ve").redirectErrorStream(true).start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
    assertThat(passwd("-H", "sha512", "-b", f.toString(), "erin", "3rin")).isZero(); // after mosquitto_passwd edited it
    assertThat(Files.readAllLines(f)).extracting(l -> l.substring(0, l.indexOf(':'))).containsExactly("alice", "bob", "dave", "erin");

    int port;
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      port = s.getLocalPort();
    }
    Path conf = dir.resolve("m.conf");
    Files.writeString(conf, "listener " + port + " 127.0.0.1\nallow_anonymous false\npassword_file " + f + "\nuser "
        + System.getProperty("user.name") + "\n");
    Process m = new ProcessBuilder("/usr/sbin/mosquitto", "-c", conf.toString()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("m.log").toFile()).start();
    try {
      await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
        try (Socket s = new Socket("127.0.0.1", port)) {
          return true;
        }
      });
      assertThat(connect(port, "alice", "secret")).isEqualTo("alice:ok");
      assertThat(connect(port, "bob", "builder2")).isEqualTo("bob:ok");
      assertThat(connect(port, "bob", "builder")).isEqualTo("bob:refused");
      assertThat(connect(port, "carol", "c4rol")).isEqualTo("carol:refused");
      assertThat(connect(port, "dave", "d4ve")).isEqualTo("dave:ok");
      assertThat(connect(port, "erin", "3rin")).isEqualTo("erin:ok");
    } finally {
      m.destroy();
      m.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void mistakes_are_refused_as_mosquitto_passwd_refuses_them() {
    Path f = dir.resolve("none");
    assertThat(passwd("-b", f.toString(), "alice", "x")).isEqualTo(1);
    assertThat(err.toString()).contains("Unable to open file");
    assertThat(passwd("-c", "-D", f.toString(), "alice")).isEqualTo(1);
    assertThat(passwd("-c", "-b", f.toString(), "a:b", "x")).isEqualTo(1);
    assertThat(passwd("-c", "-b", "-H", "md5", f.toString(), "a", "x")).isEqualTo(1);
    assertThat(passwd("-c", "-b", f.toString(), "alice", "x")).isZero();
    assertThat(passwd("-D", f.toString(), "ghost")).isEqualTo(1);
    assertThat(err.toString()).contains("not found");
  }
}
