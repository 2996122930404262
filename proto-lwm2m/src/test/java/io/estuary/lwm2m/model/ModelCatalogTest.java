package io.estuary.lwm2m.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.leshan.core.LwM2m.Version;
import org.eclipse.leshan.core.model.ObjectModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCatalogTest {
  @TempDir
  Path dir;

  private static String object(int id, String version, String resourceName) {
    return """
        <?xml version="1.0" encoding="UTF-8"?>
        <LWM2M xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="http://openmobilealliance.org/tech/profiles/LWM2M.xsd">
          <Object ObjectType="MODefinition">
            <Name>Test %1$d</Name><Description1>test</Description1><ObjectID>%1$d</ObjectID>
            <ObjectURN>urn:oma:lwm2m:x:%1$d%4$s</ObjectURN><LWM2MVersion>1.0</LWM2MVersion><ObjectVersion>%2$s</ObjectVersion>
            <MultipleInstances>Multiple</MultipleInstances><Mandatory>Optional</Mandatory>
            <Resources>
              <Item ID="5700"><Name>%3$s</Name><Operations>R</Operations><MultipleInstances>Single</MultipleInstances>
                <Mandatory>Mandatory</Mandatory><Type>Float</Type><RangeEnumeration></RangeEnumeration><Units></Units>
                <Description>v</Description></Item>
            </Resources>
            <Description2></Description2>
          </Object>
        </LWM2M>
        """.formatted(id, version, resourceName, version.equals("1.0") ? "" : ":" + version);
  }

  private void write(String name, String content) throws IOException {
    Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
  }

  @Test
  void registry_objects_are_known_without_an_xml_dir() {
    ModelCatalog c = ModelCatalog.load("");
    assertThat(c.model().getObjectModel(3303).name).isEqualTo("Temperature");
    assertThat(c.model().getObjectModel(3311).name).isEqualTo("Light Control");
    assertThat(c.model().getResourceModel(3303, 5700).name).isEqualTo("Sensor Value");
    assertThat(c.model().getObjectModel(4242)).isNull();
    assertThat(c.objectCount()).isGreaterThan(320);
  }

  @Test
  void a_device_gets_the_version_it_registered_with_and_the_newest_when_none_matches() {
    ModelCatalog c = ModelCatalog.load("");
    assertThat(c.find(3, new Version("1.0")).version).isEqualTo("1.0");
    assertThat(c.find(3, new Version("1.1")).version).isEqualTo("1.1");
    assertThat(c.find(3, null).version).isEqualTo("1.2");
    assertThat(c.find(3303, new Version("1.0")).version).isEqualTo("1.1"); // the registry has 1.1 only
  }

  @Test
  void xml_dir_overrides_the_same_id_and_version_and_adds_new_objects() throws IOException {
    write("3303.xml", object(3303, "1.1", "Overridden"));
    write("40000.xml", object(40000, "1.0", "Mine"));
    ModelCatalog c = ModelCatalog.load(dir.toString());
    assertThat(c.find(3303, new Version("1.1")).resources.get(5700).name).isEqualTo("Overridden");
    assertThat(c.find(40000, null).resources.get(5700).name).isEqualTo("Mine");
    assertThat(c.find(3311, null).name).isEqualTo("Light Control");
  }

  @Test
  void an_invalid_xml_file_is_skipped_with_its_name_and_problem_and_the_others_load() throws IOException {
    write("40001.xml", object(40001, "1.0", "Good"));
    write("broken.xml", "<LWM2M><Object><Name>no end");
    write("empty.xml", "<?xml version=\"1.0\"?><LWM2M></LWM2M>");
    XmlDirModels x = XmlDirModels.read(dir.toString());
    assertThat(x.models()).extracting(m -> m.id).containsExactly(40001);
    assertThat(x.skipped()).hasSize(2);
    assertThat(x.skipped().get(0)).startsWith("broken.xml: ");
    assertThat(x.skipped().get(1)).startsWith("empty.xml: ");
    ObjectModel good = ModelCatalog.load(dir.toString()).find(40001, null);
    assertThat(good.name).isEqualTo("Test 40001");
  }

  @Test
  void a_missing_xml_dir_leaves_the_shipped_models() {
    ModelCatalog c = ModelCatalog.load(dir.resolve("nope").toString());
    assertThat(c.find(3303, null)).isNotNull();
  }
}
