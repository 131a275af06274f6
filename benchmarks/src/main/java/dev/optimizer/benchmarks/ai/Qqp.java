package dev.optimizer.benchmarks.ai;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * The Quora Question Pairs development set, read from {@code ../shared/data/qqp-dev.jsonl} (or the
 * file named by the system property {@code optimizer.qqp}). Evaluation data only: never copied into
 * the project.
 */
final class Qqp {

  /** One labelled pair. */
  record Pair(String a, String b, boolean duplicate) {}

  private Qqp() {}

  static Path file() {
    String explicit = System.getProperty("optimizer.qqp");
    if (explicit != null) {
      return Path.of(explicit);
    }
    for (Path p :
        List.of(
            Path.of("../shared/data/qqp-dev.jsonl"),
            Path.of("../../shared/data/qqp-dev.jsonl"),
            Path.of("/work/shared/data/qqp-dev.jsonl"))) {
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    throw new IllegalStateException(
        "QQP data not found: expected ../shared/data/qqp-dev.jsonl (see shared/data/README.md), or"
            + " give its path with -Doptimizer.qqp=FILE; the ai-* scenarios need it");
  }

  static List<Pair> pairs() throws IOException {
    List<Pair> out = new ArrayList<>();
    for (String line : Files.readAllLines(file(), StandardCharsets.UTF_8)) {
      if (line.isBlank()) {
        continue;
      }
      out.add(new Pair(field(line, "a"), field(line, "b"), line.contains("\"duplicate\": true")));
    }
    return out;
  }

  /** Distinct non-blank questions of both sides, shuffled with a fixed seed. */
  static List<String> distinctQuestions(long seed) throws IOException {
    Set<String> set = new LinkedHashSet<>();
    for (Pair p : pairs()) {
      if (!p.a().isBlank()) {
        set.add(p.a());
      }
      if (!p.b().isBlank()) {
        set.add(p.b());
      }
    }
    List<String> out = new ArrayList<>(set);
    Collections.shuffle(out, new Random(seed));
    return out;
  }

  /** Reads a JSON string field; handles the escapes JSON allows. */
  static String field(String line, String name) {
    String key = "\"" + name + "\":";
    int i = line.indexOf(key);
    if (i < 0) {
      throw new IllegalArgumentException("no field " + name + " in " + line);
    }
    i = line.indexOf('"', i + key.length()) + 1;
    StringBuilder sb = new StringBuilder();
    while (i < line.length()) {
      char c = line.charAt(i++);
      if (c == '"') {
        return sb.toString();
      }
      if (c == '\\') {
        char e = line.charAt(i++);
        switch (e) {
          case 'n' -> sb.append('\n');
          case 't' -> sb.append('\t');
          case 'r' -> sb.append('\r');
          case 'b' -> sb.append('\b');
          case 'f' -> sb.append('\f');
          case 'u' -> {
            sb.append((char) Integer.parseInt(line.substring(i, i + 4), 16));
            i += 4;
          }
          default -> sb.append(e);
        }
      } else {
        sb.append(c);
      }
    }
    throw new IllegalArgumentException("unterminated string in " + line);
  }
}
