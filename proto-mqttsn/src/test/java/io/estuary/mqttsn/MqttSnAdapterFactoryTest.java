package io.estuary.mqttsn;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.api.ProtocolAdapterFactory;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class MqttSnAdapterFactoryTest {

  @Test
  void factory_is_found_by_service_loader_under_protocol_mqttsn() {
    assertThat(ServiceLoader.load(ProtocolAdapterFactory.class).stream().map(ServiceLoader.Provider::get))
        .anySatisfy(f -> {
          assertThat(f).isInstanceOf(MqttSnAdapterFactory.class);
          assertThat(f.protocol()).isEqualTo("mqttsn");
        });
  }
}
