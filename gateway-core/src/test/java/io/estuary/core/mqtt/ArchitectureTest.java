package io.estuary.core.mqtt;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The core's boundaries, executable: Netty stays in the transport packages (the SPI's rule is in gateway-api). */
class ArchitectureTest {
  static final JavaClasses CORE = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
      .importPackages("io.estuary.core");

  @Test
  void netty_only_in_mqtt_and_management() {
    noClasses().that().resideOutsideOfPackages("io.estuary.core.mqtt..", "io.estuary.core.management..")
        .should().dependOnClassesThat().resideInAPackage("io.netty..")
        .check(CORE);
  }

  @Test
  void mqtt_listener_uses_the_spi_not_the_session_internals() {
    noClasses().that().resideInAPackage("io.estuary.core.mqtt..")
        .should().dependOnClassesThat().resideInAnyPackage("io.estuary.core.session..", "io.estuary.core.store..", "io.estuary.core.auth..")
        .check(CORE);
  }
}
