package dev.optimizer.db.cache.internal;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;

/**
 * Who a connection reads as, and where: part of every cache key, so that one user's or one schema's
 * results are never served to another. Read once per physical connection (reading the schema costs
 * PostgreSQL a round trip), again after {@code setSchema}/{@code setCatalog}.
 *
 * @param url the JDBC URL (the database)
 * @param catalog the current catalog
 * @param schema the current schema (PostgreSQL: the first of the search path)
 * @param user the user the connection logged in as
 */
record ConnectionContext(String url, String catalog, String schema, String user) {

  static ConnectionContext read(Connection c) throws SQLException {
    DatabaseMetaData md = c.getMetaData();
    String schema;
    try {
      schema = c.getSchema();
    } catch (java.sql.SQLFeatureNotSupportedException
        | AbstractMethodError
        | UnsupportedOperationException e) {
      // A driver that cannot tell: every connection of the pool reads alike unless setSchema is
      // called (tracked) or a SET runs (the connection is then left out of the cache).
      schema = "?";
    }
    return new ConnectionContext(
        String.valueOf(md.getURL()),
        String.valueOf(c.getCatalog()),
        String.valueOf(schema),
        String.valueOf(md.getUserName()));
  }
}
