package io.estuary.tcp;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The module's boundaries: Netty only in transport, codec and channel pure, the core only through gateway-api. */
class TcpArchitectureTest {
  private static final JavaClasses CLASSES = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("io.estuary.tcp");

  @Test
  void netty_only_in_transport() {
    noClasses().that().resideOutsideOfPackage("io.estuary.tcp.transport..")
        .should().dependOnClassesThat().resideInAPackage("io.netty..")
        .check(CLASSES);
  }

  @Test
  void nothing_from_the_core() {
    noClasses().should().dependOnClassesThat().resideInAPackage("io.estuary.core..").check(CLASSES);
  }

  @Test
  void codec_and_channel_do_not_know_the_transport() {
    noClasses().that().resideInAnyPackage("io.estuary.tcp.codec..", "io.estuary.tcp.channel..")
        .should().dependOnClassesThat().resideInAPackage("io.estuary.tcp.transport..")
        .check(CLASSES);
  }
}
