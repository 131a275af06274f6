package dev.optimizer.db.cache.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Which statements touch one row by its integer key, and where the key's value is. */
class KeyPinsTest {
  private static final Function<String, String> KEYS =
      t -> t.equals("items") || t.equals("orders") ? "id" : null;

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "SELECT name FROM items WHERE id = ? | items | 1",
        "SELECT name FROM public.items i WHERE i.status = ? AND i.id = ? | items | 2",
        "SELECT name FROM items WHERE ? = id | items | 1",
        "UPDATE items SET v = v + ?, w = ? WHERE id = ? | items | 3",
        "UPDATE items SET v = 1 WHERE id = ? AND v > ? RETURNING v | items | 1",
        "DELETE FROM orders WHERE id = ? | orders | 1",
        "INSERT INTO items (name, id) VALUES (?, ?) | items | 2",
      })
  void pinsOneKeyByParameter(String sql, String table, int parameter) {
    KeyPins.Pin pin = KeyPins.find(sql, KEYS);
    assertThat(pin).isNotNull();
    assertThat(pin.table()).isEqualTo(table);
    assertThat(pin.parameter()).isEqualTo(parameter);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "SELECT name FROM items WHERE id > ?",
        "SELECT name FROM items WHERE id = ? OR id = ?",
        "SELECT name FROM items WHERE name = ?",
        "SELECT i.name FROM items i JOIN orders o ON o.id = i.id WHERE i.id = ?",
        "SELECT name FROM users WHERE id = ?",
        "UPDATE items SET id = ? WHERE id = ?",
        "UPDATE items SET v = 1 FROM orders WHERE items.id = ?",
        "INSERT INTO items (id, v) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET v = 1",
        "INSERT INTO items (id) VALUES (?), (?)",
        "INSERT INTO items (v) VALUES (?)",
        "INSERT INTO items (id) SELECT id FROM orders",
        "DELETE FROM items WHERE id IN (?)",
        "DELETE FROM items USING orders WHERE items.id = ?",
        "SELECT name FROM items WHERE id = ? UNION SELECT name FROM items WHERE id = ?",
        "SELECT id, (SELECT count(*) FROM items) total FROM items WHERE id = ?",
        "SELECT name FROM items WHERE id = ? AND EXISTS (SELECT 1 FROM items WHERE v > ?)",
        "SELECT name FROM items WHERE id = ? AND v IN (select v FROM orders)",
      })
  void leavesEverythingElseUnpinned(String sql) {
    assertThat(KeyPins.find(sql, KEYS)).isNull();
  }

  @org.junit.jupiter.api.Test
  void readsOnlyIntegerValues() {
    KeyPins.Pin pin = KeyPins.find("SELECT name FROM items WHERE id = ?", KEYS);
    assertThat(pin.value(new Object[] {5})).isEqualTo(5L);
    assertThat(pin.value(new Object[] {5L})).isEqualTo(5L);
    assertThat(pin.value(new Object[] {"5"})).isNull();
    assertThat(pin.value(new Object[] {null})).isNull();
    assertThat(pin.value(new Object[0])).isNull();
    assertThat(KeyPins.find("SELECT name FROM items WHERE id = 42", KEYS).value(null))
        .isEqualTo(42L);
  }
}
