package io.estuary.lwm2m.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.eclipse.leshan.core.LwM2m.LwM2mVersion;
import org.eclipse.leshan.core.model.ObjectLoader;
import org.eclipse.leshan.core.model.StaticModel;
import org.eclipse.leshan.core.model.LwM2mModel;
import org.eclipse.leshan.core.request.ContentFormat;

/** Whatever arrives on the command topic, the parser and builder answer with a value, never an exception. */
class CommandParserPropertiesTest {
  private static final LwM2mModel MODEL = new StaticModel(ObjectLoader.loadAllDefault());
  private static final List<String> TYPES = List.of("read", "discover", "write", "write-attr", "execute", "create",
      "delete", "observe", "cancel-observe", "read-composite", "write-composite", "observe-composite",
      "cancel-observe-composite", "jump", "", "READ");
  private static final List<String> FORMATS = List.of("\"senml-cbor\"", "\"senml-json\"", "\"tlv\"", "112", "110",
      "\"application/senml+json\"", "\"nope\"", "-1", "99999999", "null", "{}", "\"\"");
  private static final List<ClientProfile> PROFILES = List.of(ClientProfile.LWM2M_1_1,
      new ClientProfile(LwM2mVersion.V1_0, Set.of()),
      new ClientProfile(LwM2mVersion.V1_1, Set.of(ContentFormat.SENML_JSON)),
      new ClientProfile(LwM2mVersion.V1_1, Set.of(ContentFormat.SENML_CBOR, ContentFormat.LINK)));
  private static final List<String> PATHS = List.of("/3/0/0", "/3/0", "/3", "/", "", "/1/0/1", "/3/0/7/0", "/x/y",
      "/65536/0", "/3/-1", "3/0/0", "/3/0/0?pmin=1", "//", "/4242/0/0", "/19999/0/1", "/3/0/0/0/0");
  private static final List<String> VALUES = List.of("1", "-1", "1.5", "\"s\"", "true", "null", "[]", "{}",
      "\"AAEC\"", "\"3:0\"", "99999999999999999999", "\"\"", "1e400");
  private static final List<String> TYPE_NAMES = List.of("String", "Integer", "Float", "Boolean", "Opaque", "Time",
      "Objlnk", "Unsigned Integer", "Nope", "");

  @Property(tries = 500)
  void random_bytes_never_throw(@ForAll byte[] payload) {
    assertAnswered(payload);
  }

  @Property(tries = 500)
  void random_strings_never_throw(@ForAll String payload) {
    assertAnswered(payload.getBytes(StandardCharsets.UTF_8));
  }

  @Property(tries = 2000)
  void command_shaped_json_never_throws(@ForAll("commands") String json) {
    assertAnswered(json.getBytes(StandardCharsets.UTF_8));
  }

  @Property(tries = 1000)
  void mutated_commands_never_throw(@ForAll("commands") String json, @ForAll("cuts") int cut, @ForAll char inserted) {
    int at = Math.min(cut, json.length());
    assertAnswered((json.substring(0, at) + inserted + json.substring(Math.min(json.length(), at + 1)))
        .getBytes(StandardCharsets.UTF_8));
  }

  private static void assertAnswered(byte[] payload) {
    ParseResult r = CommandParser.parse(payload);
    assertThat(r).isNotNull();
    if (r instanceof ParseResult.Parsed p) {
      assertThat(p.command().reqPath()).isNotBlank();
      for (ClientProfile device : PROFILES) {
        BuildResult b = RequestBuilder.build(p.command(), MODEL, device);
        assertThat(b).isNotNull();
        if (p.command().type().composite()) {
          assertThat(p.command().reqPaths()).isNotEmpty();
          if (device.version() == LwM2mVersion.V1_0) {
            assertThat(b).isInstanceOf(BuildResult.Invalid.class);
          }
        }
      }
    } else {
      assertThat(((ParseResult.Rejected) r).reason()).isNotBlank();
    }
  }

  @Provide
  Arbitrary<Integer> cuts() {
    return Arbitraries.integers().between(0, 200);
  }

  @Provide
  Arbitrary<String> commands() {
    Arbitrary<String> type = Arbitraries.of(TYPES);
    Arbitrary<String> path = Arbitraries.of(PATHS);
    Arbitrary<String> value = Arbitraries.of(VALUES);
    Arbitrary<String> typeName = Arbitraries.of(TYPE_NAMES);
    Arbitrary<String> item = Combinators.combine(path, value, typeName)
        .as((p, v, t) -> "{\"path\":\"" + p + "\",\"type\":\"" + t + "\",\"value\":" + v + "}");
    Arbitrary<String> content = item.list().ofMaxSize(4).map(l -> "[" + String.join(",", l) + "]");
    Arbitrary<String> paths = path.list().ofMaxSize(4).map(l -> "[" + String.join(",", l.stream().map(x -> "\"" + x + "\"").toList()) + "]");
    Arbitrary<String> format = Arbitraries.of(FORMATS);
    Arbitrary<String> data = Combinators.combine(path, value, typeName, content, paths, format, Arbitraries.integers().between(0, 8))
        .as((p, v, t, c, ps, f, shape) -> switch (shape) {
          case 0 -> "{\"path\":\"" + p + "\"}";
          case 1 -> "{\"path\":\"" + p + "\",\"type\":\"" + t + "\",\"value\":" + v + "}";
          case 2 -> "{\"basePath\":\"" + p + "\",\"content\":" + c + "}";
          case 3 -> "{\"path\":\"" + p + "\",\"pmin\":" + v + ",\"pmax\":" + v + ",\"gt\":" + v + ",\"st\":" + v + "}";
          case 4 -> "{\"path\":\"" + p + "\",\"args\":" + v + "}";
          case 5 -> "{\"paths\":" + ps + ",\"contentFormat\":" + f + "}";
          case 6 -> "{\"content\":" + c + ",\"contentFormat\":" + f + "}";
          case 7 -> "{\"path\":\"" + p + "\",\"contentFormat\":" + f + ",\"type\":\"" + t + "\",\"value\":" + v + "}";
          default -> v;
        });
    return Combinators.combine(type, data, value)
        .as((t, d, id) -> "{\"reqID\":" + id + ",\"msgType\":\"" + t + "\",\"data\":" + d + "}");
  }
}
