package io.estuary.api;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The SPI is what every adapter compiles against: JDK types only, so no library leaks across it. */
class ApiBoundaryTest {
  static final JavaClasses API = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
      .importPackages("io.estuary.api");

  @Test
  void spi_depends_on_the_jdk_only() {
    noClasses().that().resideInAPackage("io.estuary.api..")
        .should().dependOnClassesThat().resideOutsideOfPackages("java..", "io.estuary.api..")
        .check(API);
  }
}
