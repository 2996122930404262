package io.estuary.mqtt;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The module's boundaries (STYLE.md): Netty only in transport and codec, the core only through gateway-api. */
class MqttArchitectureTest {
  private static final JavaClasses CLASSES = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("io.estuary.mqtt");

  @Test
  void netty_only_in_transport_and_codec() {
    noClasses().that().resideOutsideOfPackages("io.estuary.mqtt.transport..", "io.estuary.mqtt.codec..")
        .should().dependOnClassesThat().resideInAPackage("io.netty..")
        .check(CLASSES);
  }

  @Test
  void nothing_from_the_core() {
    noClasses().should().dependOnClassesThat().resideInAPackage("io.estuary.core..").check(CLASSES);
  }

  @Test
  void codec_and_channel_do_not_know_the_transport() {
    noClasses().that().resideInAnyPackage("io.estuary.mqtt.codec..", "io.estuary.mqtt.channel..")
        .should().dependOnClassesThat().resideInAPackage("io.estuary.mqtt.transport..")
        .check(CLASSES);
  }

  @Test
  void the_codec_does_not_know_the_channel() {
    noClasses().that().resideInAPackage("io.estuary.mqtt.codec..")
        .should().dependOnClassesThat().resideInAPackage("io.estuary.mqtt.channel..")
        .check(CLASSES);
  }
}
