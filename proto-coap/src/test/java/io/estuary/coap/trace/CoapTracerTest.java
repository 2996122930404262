package io.estuary.coap.trace;

import static org.assertj.core.api.Assertions.assertThat;

import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.CoAP.Type;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.coap.Token;
import org.junit.jupiter.api.Test;

class CoapTracerTest {
  @Test
  void a_request_summary_masks_password_and_token_and_shows_the_payload_as_its_size() {
    Request r = Request.newPost();
    r.setType(Type.CON);
    r.setMID(7);
    r.setToken(new Token(new byte[] {0x0a, 0x1b}));
    r.getOptions().setUriPath("ps/a/b").addUriQuery("clientid=c1").addUriQuery("password=hunter2")
        .addUriQuery("token=abc").setContentFormat(50);
    r.setPayload("secret payload");
    assertThat(CoapTracer.summary(r)).isEqualTo(
        "CON POST mid=7 token=0A1B /ps/a/b?clientid=c1&password=***&token=*** cf=50 payload=14 bytes");
    assertThat(CoapTracer.clientId(r)).isEqualTo("c1");
  }

  @Test
  void a_response_summary_names_type_code_mid_token_observe_and_size() {
    Response r = new Response(ResponseCode.CONTENT);
    r.setType(Type.NON);
    r.setMID(9);
    r.setToken(new Token(new byte[] {1}));
    r.getOptions().setObserve(3);
    r.setPayload("abcde");
    assertThat(CoapTracer.summary(r)).isEqualTo("NON 2.05 mid=9 token=01 observe=3 payload=5 bytes");
  }

  @Test
  void a_request_without_clientid_or_dtls_identity_names_no_client() {
    assertThat(CoapTracer.clientId(Request.newGet())).isNull();
  }
}
