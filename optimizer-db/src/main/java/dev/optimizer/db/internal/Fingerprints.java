package dev.optimizer.db.internal;

import dev.optimizer.db.internal.sql.Fingerprint;
import dev.optimizer.db.internal.sql.Fingerprinter;
import dev.optimizer.db.internal.sql.SqlDialect;
import java.util.function.Function;

/** Adapts the SQL fingerprinter to the {@link StatementKey} the wrapper records under. */
public final class Fingerprints {
  private Fingerprints() {}

  /** A fingerprint function for a dialect; it never throws for any non-null statement. */
  public static Function<String, StatementKey> forDialect(SqlDialect dialect, int maxLength) {
    Fingerprinter fingerprinter =
        Fingerprinter.builder(dialect).maxStatementLength(maxLength).build();
    return sql -> {
      Fingerprint f = fingerprinter.fingerprint(sql);
      return new StatementKey(
          f.id(), f.normalizedText(), f.operation(), f.collection().orElse(""), f.querySummary());
    };
  }
}
