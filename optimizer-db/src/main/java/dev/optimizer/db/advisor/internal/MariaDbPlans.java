package dev.optimizer.db.advisor.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads MariaDB's (and MySQL's) {@code EXPLAIN FORMAT=JSON} into a {@link Plan}: the query block's
 * cost (MariaDB {@code cost}, MySQL {@code cost_info.query_cost}; without either, the rows
 * examined), full table scans ({@code access_type: ALL}) and the indexes used. The excerpt names
 * tables, access types, keys and row estimates only: the attached conditions hold literal values.
 */
public final class MariaDbPlans {
  private MariaDbPlans() {}

  /** Reads the JSON text EXPLAIN returned. */
  @SuppressWarnings("unchecked")
  public static Plan parse(String json) {
    Map<String, Object> root = (Map<String, Object>) MiniJson.parse(json);
    Map<String, Object> block = (Map<String, Object>) root.get("query_block");
    List<String> seq = new ArrayList<>();
    List<String> idx = new ArrayList<>();
    StringBuilder excerpt = new StringBuilder();
    double[] rows = {0};
    walk(block, seq, idx, excerpt, rows);
    double cost = rows[0];
    if (block != null && block.get("cost") instanceof Number n) {
      cost = n.doubleValue();
    } else if (block != null && block.get("cost_info") instanceof Map<?, ?> info) {
      Object q = info.get("query_cost");
      cost = q == null ? cost : Double.parseDouble(q.toString());
    }
    return new Plan(cost, List.copyOf(seq), List.copyOf(idx), excerpt.toString().stripTrailing());
  }

  @SuppressWarnings("unchecked")
  private static void walk(
      Object node, List<String> seq, List<String> idx, StringBuilder out, double[] rows) {
    if (node instanceof Map<?, ?> m) {
      Object name = m.get("table_name");
      if (name != null) {
        String access = String.valueOf(m.get("access_type"));
        Object key = m.get("key");
        double r = m.get("rows") instanceof Number n ? n.doubleValue() : 0;
        rows[0] += r;
        if (access.equals("ALL")) {
          seq.add(name.toString());
        }
        if (key != null) {
          idx.add(key.toString());
        }
        out.append(
            String.format(
                Locale.ROOT,
                "%s: %s%s rows=%.0f%n",
                name,
                access,
                key == null ? "" : " key=" + key,
                r));
      }
      for (Object v : ((Map<String, Object>) m).values()) {
        walk(v, seq, idx, out, rows);
      }
    } else if (node instanceof List<?> l) {
      for (Object v : l) {
        walk(v, seq, idx, out, rows);
      }
    }
  }
}
