package io.estuary.lwm2m.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.estuary.testkit.MemoryKeyValueSpace;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.eclipse.leshan.core.LwM2m.LwM2mVersion;
import org.eclipse.leshan.core.LwM2m.Version;
import org.eclipse.leshan.core.link.Link;
import org.eclipse.leshan.core.node.LwM2mPath;
import org.eclipse.leshan.core.peer.IpPeer;
import org.eclipse.leshan.core.peer.PskIdentity;
import org.eclipse.leshan.core.request.BindingMode;
import org.eclipse.leshan.core.request.ContentFormat;
import org.eclipse.leshan.server.registration.Registration;
import org.junit.jupiter.api.Test;

class DurableRegistrationStoreTest {
  /** Completes every operation at once on the test thread; {@code kv.table} is read synchronously. */
  private final MemoryKeyValueSpace kv = new MemoryKeyValueSpace();

  static Registration registration(String id, String ep) {
    return new Registration.Builder(id, ep, new IpPeer(new InetSocketAddress("127.0.0.1", 40123), new PskIdentity(ep)),
        io.estuary.lwm2m.registration.Lwm2mUris.of(URI.create("coaps://127.0.0.1:5784")))
        .registrationDate(new Date(1_700_000_000_000L)).lastUpdate(new Date())
        .lifeTimeInSec(300L).smsNumber("+123").lwM2mVersion(LwM2mVersion.V1_1)
        .bindingMode(EnumSet.of(BindingMode.U)).queueMode(true)
        .objectLinks(new Link[] {new Link("/"), new Link("/3/0"), new Link("/19999/0")}).rootPath("/")
        .supportedContentFormats(ContentFormat.TLV, ContentFormat.SENML_JSON)
        .supportedObjects(Map.of(3, new Version("1.1"), 19999, new Version("1.0")))
        .availableInstances(java.util.Set.of(new LwM2mPath(3, 0), new LwM2mPath(19999, 0)))
        .customRegistrationData(Map.of("imei", "42", "k", "v"))
        .build();
  }

  @Test
  void a_registration_survives_encoding_with_every_field() {
    Registration r = registration("id1", "ep1");
    Registration back = RegistrationJson.decode(RegistrationJson.encode(r));
    assertThat(back).isNotNull();
    assertThat(back.getId()).isEqualTo("id1");
    assertThat(back.getEndpoint()).isEqualTo("ep1");
    assertThat(back.getSocketAddress()).isEqualTo(r.getSocketAddress());
    assertThat(back.getClientTransportData()).isEqualTo(r.getClientTransportData());
    assertThat(back.getEndpointUri()).isEqualTo(r.getEndpointUri());
    assertThat(back.getRegistrationDate()).isEqualTo(r.getRegistrationDate());
    assertThat(back.getLastUpdate()).isEqualTo(r.getLastUpdate());
    assertThat(back.getLifeTimeInSec()).isEqualTo(300L);
    assertThat(back.getSmsNumber()).isEqualTo("+123");
    assertThat(back.getLwM2mVersion()).isEqualTo(LwM2mVersion.V1_1);
    assertThat(back.usesQueueMode()).isTrue();
    assertThat(back.getObjectLinks()).extracting(Link::getUriReference).containsExactly("/", "/3/0", "/19999/0");
    assertThat(back.getSupportedContentFormats()).isEqualTo(r.getSupportedContentFormats());
    assertThat(back.getSupportedObject()).isEqualTo(r.getSupportedObject());
    assertThat(back.getAvailableInstances()).isEqualTo(r.getAvailableInstances());
    assertThat(back.getCustomRegistrationData()).isEqualTo(Map.of("imei", "42", "k", "v"));
  }

  @Test
  void a_registration_stored_before_leshan_m18_keeps_its_attributes_and_application_data() throws Exception {
    com.fasterxml.jackson.databind.node.ObjectNode o = (com.fasterxml.jackson.databind.node.ObjectNode)
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(RegistrationJson.encode(registration("id2", "ep2")));
    o.putObject("attrs").put("imei", "42");
    o.putObject("app").put("k", "v");
    Registration back = RegistrationJson.decode(o.toString().getBytes(StandardCharsets.UTF_8));
    assertThat(back).isNotNull();
    assertThat(back.getCustomRegistrationData()).isEqualTo(Map.of("imei", "42", "k", "v"));
    assertThat(back.getEndpointUri().toString()).contains("5784");
  }

  @Test
  void bytes_that_are_not_a_registration_decode_to_null() {
    assertThat(RegistrationJson.decode("{".getBytes(StandardCharsets.UTF_8))).isNull();
    assertThat(RegistrationJson.decode("{\"v\":1}".getBytes(StandardCharsets.UTF_8))).isNull();
    assertThat(RegistrationJson.decode(new byte[] {(byte) 0xff, 0})).isNull();
  }

  @Test
  void registrations_are_written_through_and_read_back_by_a_new_store() {
    DurableRegistrationStore first = new DurableRegistrationStore(kv);
    first.addRegistration(registration("id1", "ep1"));
    first.addRegistration(registration("id2", "ep2"));
    first.removeRegistration("id2");
    kv.table.put("reg/garbage", "nope".getBytes(StandardCharsets.UTF_8));

    DurableRegistrationStore second = new DurableRegistrationStore(kv);
    List<Registration> loaded = second.load().toCompletableFuture().join();
    assertThat(loaded).extracting(Registration::getEndpoint).containsExactly("ep1");
    assertThat(second.getRegistration("id1")).isNotNull();
    assertThat(second.getRegistrationByEndpoint("ep2")).isNull();
    assertThat(kv.table.get("reg/garbage")).isNull();
  }

  @Test
  void a_re_registration_replaces_the_stored_record_and_its_removal_keeps_the_new_one() {
    DurableRegistrationStore store = new DurableRegistrationStore(kv);
    store.addRegistration(registration("old", "ep1"));
    store.addRegistration(registration("new", "ep1"));
    store.removeRegistration("old"); // already replaced: a no-op
    assertThat(RegistrationJson.decode(kv.table.get("reg/ep1")).getId()).isEqualTo("new");
  }

  @Test
  void a_frozen_store_keeps_what_is_stored() {
    DurableRegistrationStore store = new DurableRegistrationStore(kv);
    store.addRegistration(registration("id1", "ep1"));
    store.freeze();
    store.removeRegistration("id1");
    assertThat(kv.table.get("reg/ep1")).isNotNull();
  }

  @Test
  void journaled_commands_come_back_per_endpoint_in_order_and_unreadable_ones_are_dropped() {
    CommandJournal j = new CommandJournal(kv, 0);
    ObjectNode c1 = JsonNodeFactory.instance.objectNode().put("reqID", 1);
    ObjectNode c2 = JsonNodeFactory.instance.objectNode().put("reqID", 2);
    j.save("a/b", c1, 10);
    String k2 = j.save("a/b", c2, 20);
    String k3 = j.save("c", c1, Long.MAX_VALUE);
    j.remove(k3);
    kv.table.put("q/x/1", "junk".getBytes(StandardCharsets.UTF_8));

    Map<String, List<CommandJournal.Entry>> loaded = new CommandJournal(kv, 100).load().toCompletableFuture().join();
    assertThat(loaded).containsOnlyKeys("a/b");
    assertThat(loaded.get("a/b")).extracting(CommandJournal.Entry::deadlineMillis).containsExactly(10L, 20L);
    assertThat(new String(loaded.get("a/b").get(1).command(), StandardCharsets.UTF_8)).isEqualTo("{\"reqID\":2}");
    assertThat(loaded.get("a/b").get(1).key()).isEqualTo(k2);
    assertThat(kv.table.get("q/x/1")).isNull();
  }
}
