package io.estuary.mqttsn;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The module's boundaries (STYLE.md): Netty and Californium only in transport, core only through its API. */
class MqttSnArchitectureTest {
  private static final JavaClasses CLASSES = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("io.estuary.mqttsn");

  @Test
  void only_transport_uses_netty_or_californium() {
    noClasses().that().resideOutsideOfPackage("..mqttsn.transport..")
        .should().dependOnClassesThat().resideInAnyPackage("io.netty..", "org.eclipse.californium..")
        .check(CLASSES);
  }

  @Test
  void the_core_is_used_only_through_its_api() {
    noClasses().should().dependOnClassesThat(
            resideInAPackage("io.estuary.core..").and(not(resideInAPackage("io.estuary.api.."))))
        .check(CLASSES);
  }

  @Test
  void codec_and_channel_do_not_know_the_transport() {
    noClasses().that().resideInAnyPackage("..mqttsn.codec..", "..mqttsn.channel..")
        .should().dependOnClassesThat().resideInAPackage("..mqttsn.transport..")
        .check(CLASSES);
  }
}
