package io.estuary.testkit;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The rule every adapter module's tests keep (architecture issue #11): a test talks to the gateway through
 * the SPI ({@code io.estuary.api}) and this test kit, never through the core's internals, so the adapter
 * boundary holds in tests as it does in main code. Each adapter module calls {@link #assertTestsUseOnlyApiAndTestkit}
 * from one unit test.
 */
public final class TestBoundary {
  private TestBoundary() {}

  /**
   * Fails naming every test class under {@code ownPackage} (test classes only) that depends on an
   * {@code io.estuary} class outside the API, the test kit, {@code ownPackage} and {@code alsoAllowed}
   * (packages of the module's own main dependencies, e.g. {@code io.estuary.cf} for CoAP).
   */
  public static void assertTestsUseOnlyApiAndTestkit(String ownPackage, String... alsoAllowed) {
    JavaClasses tests = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.ONLY_INCLUDE_TESTS)
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
        .importPackages(ownPackage);
    if (tests.isEmpty()) {
      throw new AssertionError("no test classes found under " + ownPackage);
    }
    List<String> allowed = new ArrayList<>(List.of("io.estuary.api..", "io.estuary.testkit..", ownPackage + ".."));
    for (String p : alsoAllowed) {
      allowed.add(p + "..");
    }
    noClasses().should().dependOnClassesThat(resideInAPackage("io.estuary..")
            .and(not(resideInAnyPackage(allowed.toArray(String[]::new)))))
        .as("tests of " + ownPackage + " use only io.estuary.api, io.estuary.testkit and their own module")
        .check(tests);
  }
}
