package io.estuary.cf;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.api.limits.Rate;
import io.estuary.testkit.CountingCounter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.elements.AddressEndpointContext;
import org.junit.jupiter.api.Test;

class KnownSourcesTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  private static InetAddress ip(String s) throws Exception {
    return InetAddress.getByName(s);
  }


  @Test
  void an_address_is_known_for_the_ttl_after_its_last_2xx_whatever_its_port() throws Exception {
    KnownSources k = new KnownSources(10, Duration.ofSeconds(45), now::get);
    assertThat(k.isKnown(ip("10.0.0.1"))).isFalse();
    k.proven(ip("10.0.0.1"));
    assertThat(k.isKnown(ip("10.0.0.1"))).isTrue();
    now.addAndGet(Duration.ofSeconds(44).toNanos());
    assertThat(k.isKnown(ip("10.0.0.1"))).isTrue();
    now.addAndGet(Duration.ofSeconds(1).toNanos());
    assertThat(k.isKnown(ip("10.0.0.1"))).as("45 s after its last 2.xx").isFalse();
    k.proven(ip("10.0.0.1"));
    assertThat(k.isKnown(ip("10.0.0.1"))).isTrue();
  }

  @Test
  void the_table_stays_at_max_sources_forgetting_the_least_recently_proven() throws Exception {
    KnownSources k = new KnownSources(2, Duration.ofMinutes(1), now::get);
    k.proven(ip("10.0.0.1"));
    k.proven(ip("10.0.0.2"));
    k.proven(ip("10.0.0.1"));
    k.proven(ip("10.0.0.3"));
    assertThat(k.size()).isEqualTo(2);
    assertThat(k.evictions()).isEqualTo(1);
    assertThat(k.isKnown(ip("10.0.0.2"))).isFalse();
    assertThat(k.isKnown(ip("10.0.0.1"))).isTrue();
    assertThat(k.isKnown(ip("10.0.0.3"))).isTrue();
  }

  @Test
  void the_interceptor_proves_the_destination_of_a_success_response_only() throws Exception {
    KnownSources k = new KnownSources(10, Duration.ofMinutes(1), now::get);
    Response notFound = new Response(ResponseCode.NOT_FOUND);
    notFound.setDestinationContext(new AddressEndpointContext(new InetSocketAddress("10.0.0.7", 5000)));
    k.successInterceptor().sendResponse(notFound);
    assertThat(k.isKnown(ip("10.0.0.7"))).isFalse();
    Response changed = new Response(ResponseCode.CHANGED);
    changed.setDestinationContext(new AddressEndpointContext(new InetSocketAddress("10.0.0.7", 5000)));
    k.successInterceptor().sendResponse(changed);
    assertThat(k.isKnown(ip("10.0.0.7"))).isTrue();
  }

  @Test
  void the_reachability_interceptor_proves_an_address_by_its_answer_to_our_con_not_by_our_answer_to_it()
      throws Exception {
    KnownSources k = new KnownSources(10, Duration.ofMinutes(1), now::get);
    InetSocketAddress device = new InetSocketAddress("10.0.0.8", 5000);
    Response changed = new Response(ResponseCode.CHANGED);
    changed.setType(CoAP.Type.ACK);
    changed.setDestinationContext(new AddressEndpointContext(device));
    k.reachabilityInterceptor().sendResponse(changed);
    assertThat(k.isKnown(device.getAddress())).as("a piggybacked 2.04 proves nothing").isFalse();

    Request ping = new Request(null, CoAP.Type.CON);
    ping.setDestinationContext(new AddressEndpointContext(device));
    k.reachabilityInterceptor().sendRequest(ping);
    k.reachabilityInterceptor().sendRequest(ping); // a retransmission
    assertThat(ping.getMessageObservers()).as("watched once").hasSize(1);
    assertThat(k.isKnown(device.getAddress())).as("sent, not answered").isFalse();
    ping.setRejected(true); // the device's RST to the ping
    assertThat(k.isKnown(device.getAddress())).isTrue();

    InetSocketAddress observer = new InetSocketAddress("10.0.0.9", 5000);
    Response notification = new Response(ResponseCode.CONTENT);
    notification.setType(CoAP.Type.CON);
    notification.setDestinationContext(new AddressEndpointContext(observer));
    k.reachabilityInterceptor().sendResponse(notification);
    assertThat(k.isKnown(observer.getAddress())).isFalse();
    notification.acknowledge();
    assertThat(k.isKnown(observer.getAddress())).as("its ACK to a CON notification").isTrue();
  }

  @Test
  void unknown_addresses_share_the_budget_known_ones_bypass_it_and_each_drop_is_counted() throws Exception {
    KnownSources k = new KnownSources(10, Duration.ofMinutes(1), now::get);
    CountingCounter shed = new CountingCounter();
    UnknownSourceBudget b = new UnknownSourceBudget("udp:test", k, Rate.parse("3/h"), shed);
    k.proven(ip("10.0.0.1"));
    for (int i = 0; i < 100; i++) {
      assertThat(b.admit(new InetSocketAddress("10.0.0.1", 1000 + i))).isTrue();
    }
    int admitted = 0;
    for (int i = 2; i < 12; i++) {
      admitted += b.admit(new InetSocketAddress("10.0.1." + i, 5683)) ? 1 : 0;
    }
    assertThat(admitted).isEqualTo(3);
    assertThat(shed.count()).isEqualTo(7.0);
    SourceLimiter l = new SourceLimiter("udp:test", Rate.parse("1000/s"), 10, new CountingCounter(), DatagramBudget.NONE, b);
    assertThat(l.admit(new InetSocketAddress("10.0.2.1", 1))).as("the budget is spent").isFalse();
    assertThat(l.size()).as("a shed unknown datagram takes no place in the table of sources").isZero();
    assertThat(l.admit(new InetSocketAddress("10.0.0.1", 1))).isTrue();
  }
}
