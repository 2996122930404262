package io.estuary.lua;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.lua.modules.JsonModule;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/** json.decode treats its input as hostile; json.encode and json.decode round-trip. */
class JsonPropertiesTest {
  private static final LuaTable JSON = new JsonModule().table();

  @Property(tries = 2000)
  void decode_answers_a_value_or_nil_and_a_reason_for_any_text(@ForAll("texts") String text) {
    Varargs r = JSON.get("decode").invoke(LuaValue.valueOf(text));
    if (r.arg1().isnil() && r.narg() > 1) {
      assertThat(r.arg(2).tojstring()).startsWith("json.decode:");
    }
  }

  @Provide
  Arbitrary<String> texts() {
    return Arbitraries.oneOf(Arbitraries.strings().withChars("{}[]\":,\\ntrufalse0123456789.-eE \t"),
        Arbitraries.strings().ofMaxLength(64));
  }

  @Property(tries = 1000)
  void a_list_of_strings_numbers_and_booleans_survives_encode_and_decode(@ForAll("values") List<Object> values) {
    LuaTable t = new LuaTable();
    int i = 1;
    for (Object o : values) {
      t.set(i++, o instanceof String s ? LuaValue.valueOf(s) : o instanceof Integer n ? LuaValue.valueOf(n)
          : LuaValue.valueOf((Boolean) o));
    }
    String once = JsonModule.encode(t);
    LuaValue back = JSON.get("decode").call(LuaValue.valueOf(once));
    assertThat(JsonModule.encode(back)).isEqualTo(once);
    for (int k = 1; k <= values.size(); k++) {
      assertThat(back.get(k).tojstring()).isEqualTo(t.get(k).tojstring());
    }
  }

  @Provide
  Arbitrary<List<Object>> values() {
    Arbitrary<Object> one = Arbitraries.oneOf(
        Arbitraries.strings().withCharRange('\u0000', '\u00ff').ofMaxLength(20).map(s -> (Object) s),
        Arbitraries.integers().map(n -> (Object) n), Arbitraries.of(true, false).map(b -> (Object) b));
    return one.list().ofMinSize(1).ofMaxSize(10);
  }
}
