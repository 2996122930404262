package io.estuary.lua.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PgPlaceholdersTest {

  @Test
  void dollar_placeholders_become_question_marks_bound_in_the_order_they_appear() {
    PgPlaceholders p = PgPlaceholders.translate("SELECT * FROM t WHERE a = $2 AND b = $1 OR c = $2");
    assertThat(p.jdbcSql()).isEqualTo("SELECT * FROM t WHERE a = ? AND b = ? OR c = ?");
    assertThat(p.order()).containsExactly(2, 1, 2);
    assertThat(p.arity()).isEqualTo(2);
  }

  @Test
  void literals_identifiers_comments_and_dollar_quoted_bodies_are_left_alone() {
    PgPlaceholders p = PgPlaceholders.translate(
        "SELECT '$1', 'it''s $2', \"col$3\", $$ $4 $$, $tag$ $5 $tag$, x::text -- $6\n, $1 /* $7 */");
    assertThat(p.jdbcSql()).isEqualTo(
        "SELECT '$1', 'it''s $2', \"col$3\", $$ $4 $$, $tag$ $5 $tag$, x::text -- $6\n, ? /* $7 */");
    assertThat(p.order()).isEqualTo(List.of(1));
  }

  @Test
  void the_vernemq_crypt_query_keeps_its_casts() {
    PgPlaceholders p = PgPlaceholders.translate(
        "SELECT publish_acl::TEXT FROM vmq_auth_acl WHERE mountpoint=$1 AND password=crypt($4, password)");
    assertThat(p.jdbcSql()).isEqualTo(
        "SELECT publish_acl::TEXT FROM vmq_auth_acl WHERE mountpoint=? AND password=crypt(?, password)");
    assertThat(p.order()).containsExactly(1, 4);
  }
}
