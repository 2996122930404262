package io.estuary.app;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the compiler cannot see across modules, checked over every module's main classes (gateway-app has
 * them all on its class path): adapters talk to the core only through gateway-api, never to each other,
 * and library types stay in the module that owns the library.
 */
class ModuleBoundariesTest {
  static final JavaClasses ALL = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("io.estuary");

  /** Adapter root packages; cf-support ({@code io.estuary.cf}) is shared Californium set-up, not an adapter. */
  static final List<String> ADAPTERS = List.of("mqtt", "mqttsn", "coap", "lwm2m", "tcp", "stomp", "uplink");

  @Test
  void adapters_and_shared_modules_never_use_core_internals() {
    noClasses().that().resideInAnyPackage(packages(ADAPTERS, "io.estuary.cf.."))
        .should().dependOnClassesThat().resideInAPackage("io.estuary.core..")
        .check(ALL);
  }

  @Test
  void adapters_never_import_each_other() {
    for (String a : ADAPTERS) {
      List<String> others = ADAPTERS.stream().filter(o -> !o.equals(a)).toList();
      noClasses().that().resideInAPackage("io.estuary." + a + "..")
          .should().dependOnClassesThat().resideInAnyPackage(packages(others))
          .allowEmptyShould(true)
          .check(ALL);
    }
  }

  @Test
  void the_spi_carries_no_library_types() {
    noClasses().that().resideInAPackage("io.estuary.api..")
        .should().dependOnClassesThat().resideInAnyPackage("io.netty..", "org.eclipse.californium..",
            "org.eclipse.leshan..", "com.hivemq..", "org.rocksdb..", "com.fasterxml..", "com.typesafe..", "com.nimbusds..")
        .check(ALL);
  }

  @Test
  void californium_and_leshan_stay_in_their_modules() {
    noClasses().that().resideOutsideOfPackages("io.estuary.cf..", "io.estuary.coap..", "io.estuary.lwm2m..",
            "io.estuary.mqttsn.transport..", "io.estuary.bench..")
        .should().dependOnClassesThat().resideInAnyPackage("org.eclipse.californium..", "org.eclipse.leshan..")
        .check(ALL);
  }

  @Test
  void nimbus_jose_jwt_stays_in_the_auth_package() {
    noClasses().that().resideOutsideOfPackages("io.estuary.core.auth..")
        .should().dependOnClassesThat().resideInAnyPackage("com.nimbusds..")
        .check(ALL);
  }

  @Test
  void luaj_stays_in_plugin_lua_and_plugin_lua_uses_only_the_spi() {
    noClasses().that().resideOutsideOfPackages("io.estuary.lua..")
        .should().dependOnClassesThat().resideInAnyPackage("org.luaj..")
        .check(ALL);
    noClasses().that().resideInAPackage("io.estuary.lua..")
        .should().dependOnClassesThat().resideInAnyPackage(packages(ADAPTERS, "io.estuary.core..", "io.estuary.cf.."))
        .check(ALL);
  }

  private static String[] packages(List<String> adapters, String... extra) {
    List<String> out = new java.util.ArrayList<>(adapters.stream().map(a -> "io.estuary." + a + "..").toList());
    out.addAll(List.of(extra));
    return out.toArray(String[]::new);
  }
}
