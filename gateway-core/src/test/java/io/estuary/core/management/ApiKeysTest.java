package io.estuary.core.management;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.estuary.core.config.ConfigError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeysTest {
  @TempDir Path dir;

  @Test
  void a_created_key_verifies_only_with_its_secret_and_is_stored_hashed_owner_only() throws Exception {
    Path file = dir.resolve("data/api_keys");
    ApiKeys keys = ApiKeys.load(file, null);
    ApiKeys.Created c = keys.create("ops");
    assertThat(keys.verify(c.key(), c.secret())).isTrue();
    assertThat(keys.verify(c.key(), c.secret())).as("cached").isTrue();
    assertThat(keys.verify(c.key(), c.secret() + "x")).isFalse();
    assertThat(keys.verify("ek_nobody", c.secret())).isFalse();
    assertThat(Files.readString(file)).contains(c.key()).contains("pbkdf2-sha256$").doesNotContain(c.secret());
    assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.getPosixFilePermissions(file.getParent())).isEqualTo(PosixFilePermissions.fromString("rwx------"));

    ApiKeys reloaded = ApiKeys.load(file, null);
    assertThat(reloaded.verify(c.key(), c.secret())).as("after a restart").isTrue();
    assertThat(reloaded.delete("ops")).isTrue();
    assertThat(ApiKeys.load(file, null).verify(c.key(), c.secret())).as("deleted for good").isFalse();
  }

  @Test
  void the_bootstrap_file_is_emqx_key_colon_secret_lines() throws Exception {
    Path boot = dir.resolve("bootstrap.txt");
    Files.writeString(boot, "# comment\nci-key:ci-secret-long\nro-key:ro-secret-long:viewer\n");
    ApiKeys keys = ApiKeys.load(null, boot);
    assertThat(keys.verify("ci-key", "ci-secret-long")).isTrue();
    assertThat(keys.verify("ro-key", "ro-secret-long")).isTrue();
    assertThat(keys.verify("ci-key", "ro-secret-long")).isFalse();
    Files.writeString(boot, "no-secret-here\n");
    assertThatThrownBy(() -> ApiKeys.load(null, boot)).isInstanceOf(ConfigError.class).hasMessageContaining("api.bootstrap_file");
  }

  @Test
  void key_records_never_print_a_secret_or_hash() {
    ApiKeys keys = ApiKeys.load(null, null);
    ApiKeys.Created c = keys.createLocal();
    assertThat(c.toString()).contains(c.key()).doesNotContain(c.secret());
    ApiKeys.Entry e = new ApiKeys.Entry("n", "k", "pbkdf2-sha256$1$salt$hash", "created");
    assertThat(e.toString()).doesNotContain("pbkdf2").doesNotContain("hash$");
  }

  @Test
  void the_data_directory_is_created_owner_only() throws Exception {
    Path data = dir.resolve("a/b/data");
    OwnerOnlyFiles.createDirectory(data);
    assertThat(Files.getPosixFilePermissions(data)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
  }
}
