package dev.optimizer.db.advisor.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The parts of a PostgreSQL {@code EXPLAIN (FORMAT JSON)} plan the advisor uses: the total cost,
 * the scans (sequential scans with the rows they read, the indexes used) and a short text excerpt.
 *
 * @param totalCost the planner's total cost of the top node
 * @param seqScans tables read by a sequential scan
 * @param indexesUsed names of the indexes the plan uses
 * @param excerpt the plan as indented lines, node types and costs only (no values)
 */
public record Plan(
    double totalCost, List<String> seqScans, List<String> indexesUsed, String excerpt) {

  /** Reads the JSON text EXPLAIN returned. */
  @SuppressWarnings("unchecked")
  public static Plan parse(String json) {
    Object root = MiniJson.parse(json);
    Map<String, Object> top = (Map<String, Object>) ((List<Object>) root).get(0);
    Map<String, Object> node = (Map<String, Object>) top.get("Plan");
    List<String> seq = new ArrayList<>();
    List<String> idx = new ArrayList<>();
    StringBuilder excerpt = new StringBuilder();
    walk(node, 0, seq, idx, excerpt);
    return new Plan(
        ((Number) node.get("Total Cost")).doubleValue(),
        List.copyOf(seq),
        List.copyOf(idx),
        excerpt.toString().stripTrailing());
  }

  @SuppressWarnings("unchecked")
  private static void walk(
      Map<String, Object> node, int depth, List<String> seq, List<String> idx, StringBuilder out) {
    String type = String.valueOf(node.get("Node Type"));
    Object relation = node.get("Relation Name");
    Object index = node.get("Index Name");
    if (type.equals("Seq Scan") && relation != null) {
      seq.add(relation.toString());
    }
    if (index != null) {
      idx.add(index.toString());
    }
    if (depth < 8) {
      out.append("  ".repeat(depth)).append(depth > 0 ? "-> " : "").append(type);
      if (index != null) {
        out.append(" using ").append(index);
      }
      if (relation != null) {
        out.append(" on ").append(relation);
      }
      out.append(
              String.format(
                  Locale.ROOT,
                  "  (cost=%.2f..%.2f rows=%.0f)",
                  num(node.get("Startup Cost")),
                  num(node.get("Total Cost")),
                  num(node.get("Plan Rows"))))
          .append('\n');
    }
    Object children = node.get("Plans");
    if (children instanceof List<?> list) {
      for (Object child : list) {
        walk((Map<String, Object>) child, depth + 1, seq, idx, out);
      }
    }
  }

  private static double num(Object o) {
    return o instanceof Number n ? n.doubleValue() : 0;
  }
}
