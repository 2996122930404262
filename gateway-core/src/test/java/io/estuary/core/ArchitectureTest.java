package io.estuary.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The core's boundaries, executable: the only Netty left in the core is the management HTTP API (the
 * MQTT listener is the proto-mqtt adapter; the SPI's rule is in gateway-api), and the core never
 * imports an adapter.
 */
class ArchitectureTest {
  static final JavaClasses CORE = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
      .importPackages("io.estuary.core");

  @Test
  void netty_only_in_management() {
    noClasses().that().resideOutsideOfPackage("io.estuary.core.management..")
        .should().dependOnClassesThat().resideInAPackage("io.netty..")
        .check(CORE);
  }

  @Test
  void the_core_imports_no_adapter() {
    noClasses().should().dependOnClassesThat().resideInAnyPackage(
            "io.estuary.mqtt..", "io.estuary.mqttsn..", "io.estuary.coap..", "io.estuary.lwm2m..", "io.estuary.tcp..",
            "io.estuary.stomp..", "io.estuary.uplink..")
        .check(CORE);
  }
}
