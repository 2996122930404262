package io.estuary.lua;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LuaConfigTest {
  @Test
  void the_list_comes_first_then_vernemq_style_file_keys_by_name_all_relative_to_the_first_script_path_dir() {
    LuaConfig c = LuaConfig.from(Map.of("script_path", "/srv/lua,/usr/share/lua", "scripts", "auth/pg.lua,limits.lua",
        "zz.file", "/abs/z.lua", "aa.file", "a.lua", "bcrypt.default_log_rounds", "4", "num_states", "3",
        "call_timeout", "250ms"));
    assertThat(c.scripts()).containsExactly(Path.of("/srv/lua/auth/pg.lua"), Path.of("/srv/lua/limits.lua"),
        Path.of("/srv/lua/a.lua"), Path.of("/abs/z.lua"));
    assertThat(c.scriptPath()).containsExactly(Path.of("/srv/lua"), Path.of("/usr/share/lua"));
    assertThat(c.numStates()).isEqualTo(3);
    assertThat(c.callTimeout()).isEqualTo(Duration.ofMillis(250));
  }

  @Test
  void the_defaults_load_no_script_and_bad_values_are_refused() {
    LuaConfig c = LuaConfig.from(Map.of());
    assertThat(c.scripts()).isEmpty();
    assertThat(c.numStates()).isEqualTo(1);
    assertThat(c.callTimeout()).isEqualTo(Duration.ofSeconds(1));
    assertThatThrownBy(() -> LuaConfig.from(Map.of("num_states", "0"))).hasMessageContaining("num_states");
    assertThatThrownBy(() -> LuaConfig.from(Map.of("call_timeout", "soon"))).isInstanceOf(RuntimeException.class);
  }
}
