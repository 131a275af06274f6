package dev.optimizer.db.cache.internal;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A digest of everything in a PostgreSQL session that can make a cached query read differently: the
 * current and session user (role, RLS), every setting ({@code pg_settings}: the search path, the
 * time zone, the custom ones row-level security policies read), and the session's temporary
 * relations, which a search path puts in front of the tables of the same name.
 *
 * <p>It lets the cache take back a connection that ran code it cannot read (a function of the
 * application, a procedure, a DO block): PostgreSQL's catalog cannot tell that such code leaves the
 * session alone (a STABLE or IMMUTABLE function may still call {@code set_config}, and {@code
 * prosrc} of a C or PL/Python function says nothing), so rather than trust a declaration the cache
 * compares the session afterwards with that of an untouched connection of the same {@link
 * ConnectionContext}. Queries the cache serves call built-in functions only, so no other session
 * state (an extension's memory, say) reaches them; nor do custom settings that no loaded module
 * defines ({@code app.tenant}), which {@code pg_settings} does not list: only {@code
 * current_setting} (never cached), row-level security policies and views (whose tables are never
 * cached) read them. Compared outside transactions only: there, no portal of an earlier query can
 * still run code, and {@code SET LOCAL} has ended.
 *
 * <p>Other databases have no such view (MariaDB's user variables are not listed), so there the
 * connection stays out of the cache for good.
 */
final class SessionState {
  private static final String DIGEST =
      "SELECT md5(concat_ws(E'\\n', current_user, session_user,"
          + " (SELECT string_agg(name || '=' || coalesce(setting, ''), E'\\n' ORDER BY name)"
          + " FROM pg_catalog.pg_settings),"
          + " (SELECT string_agg(c.oid::text, ',' ORDER BY c.oid) FROM pg_catalog.pg_class c"
          + " WHERE c.relnamespace = pg_catalog.pg_my_temp_schema())))";

  /** A reference digest that could not be taken: equal to no session's digest. */
  static final String UNAVAILABLE = "unavailable";

  private SessionState() {}

  /** Whether the connection's session can be compared (PostgreSQL). */
  static boolean comparable(ConnectionContext context) {
    return context.url().startsWith("jdbc:postgresql:");
  }

  /** The session's digest; the connection must be outside a transaction. */
  static String digest(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(DIGEST)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }
}
