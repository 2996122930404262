package io.estuary.lwm2m.security;

import static io.estuary.lwm2m.security.ProvisionedCredentials.Result.FULL;
import static io.estuary.lwm2m.security.ProvisionedCredentials.Result.PROVISIONED;
import static io.estuary.lwm2m.security.ProvisionedCredentials.Result.TAKEN;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.concurrent.atomic.AtomicInteger;

import io.estuary.testkit.MemoryKeyValueSpace;
import java.nio.charset.StandardCharsets;
import org.eclipse.leshan.servers.security.InMemorySecurityStore;
import org.eclipse.leshan.servers.security.SecurityInfo;
import org.junit.jupiter.api.Test;

class ProvisionedCredentialsTest {
  private final MemoryKeyValueSpace kv = new MemoryKeyValueSpace();

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void a_provisioned_key_is_found_by_endpoint_and_identity_and_read_back_after_a_restart() {
    ProvisionedCredentials c = new ProvisionedCredentials(new InMemorySecurityStore(), kv);
    assertThat(c.provisionPsk("ep1", "id1", b("k1"))).isEqualTo(PROVISIONED);
    assertThat(c.getByIdentity("id1").getEndpoint()).isEqualTo("ep1");
    assertThat(c.getByEndpoint("ep1").getPreSharedKey()).isEqualTo(b("k1"));

    ProvisionedCredentials again = new ProvisionedCredentials(new InMemorySecurityStore(), kv);
    assertThat(again.load().toCompletableFuture().join()).isEqualTo(1);
    assertThat(again.getByIdentity("id1").getPreSharedKey()).isEqualTo(b("k1"));
  }

  @Test
  void a_new_bootstrap_replaces_the_key_and_frees_the_old_identity() {
    ProvisionedCredentials c = new ProvisionedCredentials(new InMemorySecurityStore(), kv);
    c.provisionPsk("ep1", "id1", b("k1"));
    c.provisionPsk("ep1", "id2", b("k2"));
    assertThat(c.getByIdentity("id1")).isNull();
    assertThat(c.getByEndpoint("ep1").getPskIdentity()).isEqualTo("id2");
  }

  @Test
  void configured_credentials_win_and_an_identity_of_another_endpoint_is_refused() throws Exception {
    InMemorySecurityStore configured = new InMemorySecurityStore();
    configured.add(SecurityInfo.newPreSharedKeyInfo("fixed", "fixed-id", b("secret")));
    ProvisionedCredentials c = new ProvisionedCredentials(configured, kv);
    assertThat(c.provisionPsk("fixed", "new-id", b("k"))).isEqualTo(TAKEN);
    assertThat(c.provisionPsk("other", "fixed-id", b("k"))).isEqualTo(TAKEN);
    assertThat(c.provisionPsk("ep1", "id1", b("k1"))).isEqualTo(PROVISIONED);
    assertThat(c.provisionPsk("ep2", "id1", b("k2"))).isEqualTo(TAKEN);
    assertThat(c.getByEndpoint("fixed").getPskIdentity()).isEqualTo("fixed-id");
    assertThat(kv.scan("psk/").toCompletableFuture().join()).containsOnlyKeys("psk/ep1");
  }

  @Test
  void a_provisioned_raw_public_key_or_x509_binding_is_read_back_and_replaces_an_earlier_psk() {
    ProvisionedCredentials c = new ProvisionedCredentials(new InMemorySecurityStore(), kv);
    java.security.PublicKey key = io.estuary.testkit.TestPki.ecKeys().getPublic();
    assertThat(c.provisionPsk("ep1", "id1", b("k1"))).isEqualTo(PROVISIONED);
    assertThat(c.provisionRpk("ep1", key)).isEqualTo(PROVISIONED);
    assertThat(c.getByIdentity("id1")).isNull(); // the old PSK identity no longer opens ep1
    assertThat(c.provisionX509("ep2")).isEqualTo(PROVISIONED);

    ProvisionedCredentials again = new ProvisionedCredentials(new InMemorySecurityStore(), kv);
    assertThat(again.load().toCompletableFuture().join()).isEqualTo(2);
    assertThat(again.getByEndpoint("ep1").getRawPublicKey()).isEqualTo(key);
    assertThat(again.getByEndpoint("ep2").useX509Cert()).isTrue();
  }

  @Test
  void configured_credentials_win_over_a_provisioned_raw_public_key_or_certificate() throws Exception {
    InMemorySecurityStore configured = new InMemorySecurityStore();
    configured.add(SecurityInfo.newPreSharedKeyInfo("fixed", "fixed-id", b("k")));
    ProvisionedCredentials c = new ProvisionedCredentials(configured, kv);
    assertThat(c.provisionRpk("fixed", io.estuary.testkit.TestPki.ecKeys().getPublic())).isEqualTo(TAKEN);
    assertThat(c.provisionX509("fixed")).isEqualTo(TAKEN);
    assertThat(kv.scan("psk/").toCompletableFuture().join()).isEmpty();
  }

  private final AtomicInteger refused = new AtomicInteger();
  private final AtomicInteger evicted = new AtomicInteger();

  private ProvisionedCredentials table(int max) {
    ProvisionedCredentials c = new ProvisionedCredentials(new InMemorySecurityStore(), kv, max, refused::incrementAndGet);
    c.onEvicted(evicted::incrementAndGet);
    return c;
  }

  private JsonNode stored(String endpoint) throws Exception {
    return new ObjectMapper().readTree(kv.table.get("psk/" + endpoint));
  }

  @Test
  void never_used_credentials_stay_evictable_after_a_restart_oldest_hand_out_first_and_used_ones_stay() throws Exception {
    ProvisionedCredentials c = table(3);
    assertThat(c.provisionX509("z-first")).isEqualTo(PROVISIONED); // handed out first, last in key order
    assertThat(c.provisionPsk("a-second", "id-a", b("k"))).isEqualTo(PROVISIONED);
    assertThat(c.provisionX509("used")).isEqualTo(PROVISIONED);
    c.registered("used");
    assertThat(stored("used").get("used").asBoolean()).isTrue();
    assertThat(stored("z-first").get("used").asBoolean()).isFalse();

    ProvisionedCredentials again = table(3); // restart
    assertThat(again.load().toCompletableFuture().join()).isEqualTo(3);
    assertThat(again.unused()).isEqualTo(2);
    assertThat(again.provisionX509("n1")).isEqualTo(PROVISIONED);
    assertThat(kv.table.scan("psk/")).containsOnlyKeys("psk/a-second", "psk/used", "psk/n1");
    assertThat(again.getByIdentity("id-a")).isNotNull();
    assertThat(again.provisionX509("n2")).isEqualTo(PROVISIONED);
    assertThat(kv.table.scan("psk/")).containsOnlyKeys("psk/used", "psk/n1", "psk/n2");
    assertThat(again.getByIdentity("id-a")).isNull();
    assertThat(again.provisionX509("n3")).isEqualTo(PROVISIONED); // handed out after the restart, after z/a: n1 goes
    assertThat(kv.table.scan("psk/")).containsOnlyKeys("psk/used", "psk/n2", "psk/n3");
    assertThat(evicted).hasValue(3);
    again.registered("n2");
    again.registered("n3");
    assertThat(again.admits("n4")).isFalse();
    assertThat(again.provisionX509("n4")).isEqualTo(FULL);
    assertThat(refused).hasValue(2);
    assertThat(again.getByEndpoint("used")).isNotNull();
  }

  @Test
  void credentials_handed_out_again_are_the_newest_and_unused_until_registered_with() throws Exception {
    ProvisionedCredentials c = table(2);
    c.provisionX509("ep1");
    c.registered("ep1");
    c.provisionX509("ep2");
    c.provisionX509("ep1"); // bootstraps again: new credentials, not used yet, newer than ep2's
    assertThat(stored("ep1").get("used").asBoolean()).isFalse();
    ProvisionedCredentials again = table(2);
    again.load().toCompletableFuture().join();
    assertThat(again.provisionX509("ep3")).isEqualTo(PROVISIONED);
    assertThat(kv.table.scan("psk/")).containsOnlyKeys("psk/ep1", "psk/ep3");
  }

  @Test
  void records_stored_without_a_used_mark_read_back_as_used() {
    kv.table.put("psk/old-psk", b("{\"identity\":\"old-id\",\"key\":\"6b31\"}"));
    kv.table.put("psk/old-x509", b("{\"type\":\"x509\"}"));
    ProvisionedCredentials c = table(2);
    assertThat(c.load().toCompletableFuture().join()).isEqualTo(2);
    assertThat(c.unused()).isZero();
    assertThat(c.provisionX509("new")).isEqualTo(FULL);
    assertThat(c.provisionPsk("old-psk", "old-id", b("k2"))).isEqualTo(PROVISIONED); // has credentials: may again
    assertThat(kv.table.scan("psk/")).containsOnlyKeys("psk/old-psk", "psk/old-x509");
    assertThat(evicted).hasValue(0);
  }

  @Test
  void a_table_over_a_lowered_max_drops_only_unused_credentials_and_only_when_that_makes_room() {
    ProvisionedCredentials c = table(4);
    for (String ep : new String[] {"u1", "u2", "u3", "u4"}) {
      c.provisionX509(ep);
    }
    c.registered("u3");
    c.registered("u4");
    ProvisionedCredentials two = table(2); // restart with max_provisioned = 2: two used, two unused
    two.load().toCompletableFuture().join();
    assertThat(two.provisionX509("n1")).isEqualTo(FULL); // dropping both unused would still leave no room
    assertThat(evicted).hasValue(0);
    ProvisionedCredentials three = table(3);
    three.load().toCompletableFuture().join();
    assertThat(three.provisionX509("n1")).isEqualTo(PROVISIONED);
    assertThat(kv.table.scan("psk/")).containsOnlyKeys("psk/u3", "psk/u4", "psk/n1");
    assertThat(evicted).hasValue(2);
  }

  /** The test store, whose next {@code failPuts} writes fail as a full store's do; counts the writes asked for. */
  private static final class FailingPuts implements io.estuary.api.KeyValueSpace {
    private final io.estuary.api.KeyValueSpace store;
    final AtomicInteger failPuts = new AtomicInteger();
    final AtomicInteger puts = new AtomicInteger();

    FailingPuts(io.estuary.api.KeyValueSpace store) {
      this.store = store;
    }

    @Override
    public java.util.concurrent.CompletionStage<Void> put(String key, byte[] value) {
      puts.incrementAndGet();
      if (failPuts.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        return java.util.concurrent.CompletableFuture.failedFuture(new IllegalStateException("persistence.max_bytes"));
      }
      return store.put(key, value);
    }

    @Override
    public java.util.concurrent.CompletionStage<byte[]> get(String key) {
      return store.get(key);
    }

    @Override
    public java.util.concurrent.CompletionStage<Void> delete(String key) {
      return store.delete(key);
    }

    @Override
    public java.util.concurrent.CompletionStage<java.util.SortedMap<String, byte[]>> scan(String prefix) {
      return store.scan(prefix);
    }

    @Override
    public java.util.concurrent.CompletionStage<Integer> deleteAll(String prefix) {
      return store.deleteAll(prefix);
    }
  }

  @Test
  void a_used_mark_the_store_failed_to_write_is_written_on_the_next_registration_and_then_never_again() throws Exception {
    FailingPuts store = new FailingPuts(kv);
    ProvisionedCredentials c = new ProvisionedCredentials(new InMemorySecurityStore(), store, 2, refused::incrementAndGet);
    c.provisionX509("dev");
    c.provisionX509("other");
    store.failPuts.set(1);
    c.registered("dev");
    assertThat(stored("dev").get("used").asBoolean()).as("the write failed").isFalse();
    assertThat(c.unused()).as("used in memory all the same").isEqualTo(1);
    assertThat(c.marksPending()).isEqualTo(1);

    int before = store.puts.get();
    c.registered("dev"); // registers again
    assertThat(store.puts).hasValue(before + 1);
    assertThat(stored("dev").get("used").asBoolean()).isTrue();
    assertThat(c.marksPending()).isZero();
    c.registered("dev");
    c.updated("dev");
    assertThat(store.puts).as("nothing written once the mark is stored").hasValue(before + 1);

    ProvisionedCredentials again = table(2); // restart: the device that registered keeps its credentials
    again.load().toCompletableFuture().join();
    assertThat(again.unused()).isEqualTo(1);
    assertThat(again.provisionX509("new")).isEqualTo(PROVISIONED);
    assertThat(kv.table.scan("psk/")).containsOnlyKeys("psk/dev", "psk/new");
  }

  @Test
  void a_used_mark_the_store_failed_to_write_is_written_on_the_next_registration_update_and_only_its_own() throws Exception {
    FailingPuts store = new FailingPuts(kv);
    ProvisionedCredentials c = new ProvisionedCredentials(new InMemorySecurityStore(), store, 3, refused::incrementAndGet);
    c.provisionX509("dev");
    c.provisionX509("other");
    c.provisionX509("rebootstrapped");
    c.registered("other");
    store.failPuts.set(2);
    c.registered("dev");
    c.registered("rebootstrapped");
    assertThat(c.marksPending()).isEqualTo(2);
    c.provisionX509("rebootstrapped"); // new credentials, not used yet: the failed mark was the old ones'
    assertThat(c.marksPending()).isEqualTo(1);

    int before = store.puts.get();
    c.updated("other"); // its mark is stored: nothing to write
    c.updated("rebootstrapped"); // an update is no registration with the new credentials
    c.updated("unknown");
    assertThat(store.puts).hasValue(before);
    assertThat(stored("rebootstrapped").get("used").asBoolean()).isFalse();
    c.updated("dev");
    assertThat(store.puts).hasValue(before + 1);
    assertThat(stored("dev").get("used").asBoolean()).isTrue();
    c.updated("dev");
    c.registered("dev");
    assertThat(store.puts).as("nothing written once the mark is stored").hasValue(before + 1);
    assertThat(c.marksPending()).isZero();
  }
}
