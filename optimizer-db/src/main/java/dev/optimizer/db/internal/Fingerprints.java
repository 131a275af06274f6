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

  /**
   * Fingerprints in the dialect {@code identity} names: fixed when it is settled; otherwise they
   * follow it when it learns the dialect from the first connection's metadata (before any statement
   * of that connection runs), and until then lex as its guess says.
   */
  public static Function<String, StatementKey> following(DbIdentity identity, int maxLength) {
    if (identity.settled()) {
      return forDialect(identity.dialect(), maxLength);
    }
    return new Following(identity, maxLength);
  }

  private static final class Following implements Function<String, StatementKey> {
    private record Current(SqlDialect dialect, Function<String, StatementKey> fingerprints) {}

    private final DbIdentity identity;
    private final int maxLength;
    private volatile Current current;

    Following(DbIdentity identity, int maxLength) {
      this.identity = identity;
      this.maxLength = maxLength;
      SqlDialect d = identity.dialect();
      this.current = new Current(d, forDialect(d, maxLength));
    }

    @Override
    public StatementKey apply(String sql) {
      SqlDialect d = identity.dialect();
      Current c = current;
      if (c.dialect() != d) {
        c = new Current(d, forDialect(d, maxLength)); // once, when the dialect is learned
        current = c;
      }
      return c.fingerprints().apply(sql);
    }
  }
}
