package io.estuary.lua;

import io.estuary.testkit.TestBoundary;
import org.junit.jupiter.api.Test;

/** This module's tests reach the gateway through the SPI and the test kit only, never the core's internals. */
class LuaTestBoundaryTest {
  @Test
  void tests_import_only_the_api_the_test_kit_and_this_module() {
    TestBoundary.assertTestsUseOnlyApiAndTestkit("io.estuary.lua");
  }
}
