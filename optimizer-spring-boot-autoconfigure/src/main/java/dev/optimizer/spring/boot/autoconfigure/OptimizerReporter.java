package dev.optimizer.spring.boot.autoconfigure;

import dev.optimizer.api.internal.JsonWriter;
import dev.optimizer.runtime.Optimizer;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.beans.factory.ObjectProvider;

/**
 * The optimizer's report as JSON ({@link Optimizer#report()}, with its knobs, decisions,
 * recommendations and platform) plus a {@code "modules"} member holding each {@link
 * OptimizerModuleStats}. What the actuator endpoint serves and the report file receives.
 */
public class OptimizerReporter {
  private final Optimizer optimizer;
  private final ObjectProvider<OptimizerModuleStats> modules;

  /** A reporter over the optimizer and the module stats beans (looked up at each read). */
  public OptimizerReporter(Optimizer optimizer, ObjectProvider<OptimizerModuleStats> modules) {
    this.optimizer = optimizer;
    this.modules = modules;
  }

  /** The report as JSON text. */
  public String json() {
    String report = optimizer.report().toJson();
    JsonWriter w = new JsonWriter().beginObject();
    for (OptimizerModuleStats m : modules.orderedStream().toList()) {
      w.name(m.name());
      value(w, m.stats());
    }
    String mods = w.endObject().toString().strip().replace("\n", "\n  ");
    // The report renders itself (its format is the api module's); the modules go in as one more
    // member of its top-level object.
    int end = report.lastIndexOf('}');
    return report.substring(0, end).stripTrailing() + ",\n  \"modules\": " + mods + "\n}\n";
  }

  private static void value(JsonWriter w, Object v) {
    if (v == null) {
      w.value((String) null);
    } else if (v instanceof Map<?, ?> map) {
      w.beginObject();
      Map<?, ?> sorted = map instanceof TreeMap<?, ?> ? map : new java.util.LinkedHashMap<>(map);
      for (Map.Entry<?, ?> e : sorted.entrySet()) {
        w.name(String.valueOf(e.getKey()));
        value(w, e.getValue());
      }
      w.endObject();
    } else if (v instanceof Collection<?> list) {
      w.beginArray();
      for (Object o : List.copyOf(list)) {
        value(w, o);
      }
      w.endArray();
    } else if (v instanceof Double || v instanceof Float) {
      w.value(((Number) v).doubleValue());
    } else if (v instanceof Number n) {
      w.value(n.longValue());
    } else if (v instanceof Boolean b) {
      w.value(b);
    } else {
      w.value(v.toString());
    }
  }
}
