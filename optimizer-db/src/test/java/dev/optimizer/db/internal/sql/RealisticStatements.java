package dev.optimizer.db.internal.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Statements shaped like those ORMs and hand-written repositories send (Hibernate's aliased
 * selects, joins, batched inserts, upserts, IN lists), each with inline literal values so that
 * every generated statement is a new string.
 */
final class RealisticStatements {

  private static final String[] TABLES = {
    "users",
    "orders",
    "order_items",
    "products",
    "customers",
    "invoices",
    "payments",
    "sessions",
    "audit_log",
    "inventory",
    "shipments",
    "accounts"
  };

  private RealisticStatements() {}

  static List<String> generate(Random random, int count) {
    List<String> statements = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      statements.add(one(random));
    }
    return statements;
  }

  private static String one(Random r) {
    String t = TABLES[r.nextInt(TABLES.length)];
    String u = TABLES[r.nextInt(TABLES.length)];
    switch (r.nextInt(10)) {
      case 0:
        return "select "
            + t
            + "0_.id as id1_0_, "
            + t
            + "0_.created_at as created2_0_, "
            + t
            + "0_.email as email3_0_, "
            + t
            + "0_.name as name4_0_, "
            + t
            + "0_.status as status5_0_"
            + " from "
            + t
            + " "
            + t
            + "0_ where "
            + t
            + "0_.id="
            + r.nextInt(1_000_000);
      case 1:
        return "SELECT o.id, o.total, o.status, c.email FROM "
            + t
            + " o JOIN "
            + u
            + " c ON c.id = o.customer_id WHERE c.email = '"
            + word(r)
            + "@example.com' AND o.created_at > '2024-0"
            + (1 + r.nextInt(9))
            + "-1"
            + r.nextInt(10)
            + "' ORDER BY o.created_at DESC LIMIT "
            + (10 + r.nextInt(90));
      case 2:
        return "INSERT INTO "
            + t
            + " (id, name, email, status, created_at, score, note) VALUES ("
            + r.nextInt()
            + ", '"
            + word(r)
            + "', '"
            + word(r)
            + "@x.org', 'ACTIVE', now(), "
            + r.nextDouble()
            + ", 'it''s "
            + word(r)
            + "')";
      case 3:
        return "INSERT INTO "
            + t
            + " (a, b, c) VALUES "
            + IntStream.range(0, 2 + r.nextInt(30))
                .mapToObj(i -> "(" + r.nextInt() + ", '" + word(r) + "', " + r.nextBoolean() + ")")
                .collect(Collectors.joining(", "));
      case 4:
        return "UPDATE "
            + t
            + " SET status = '"
            + word(r)
            + "', updated_at = now(), version = version + 1"
            + " WHERE id = "
            + r.nextInt(1_000_000)
            + " AND version = "
            + r.nextInt(50);
      case 5:
        return "DELETE FROM "
            + t
            + " WHERE id IN ("
            + IntStream.range(0, 1 + r.nextInt(100))
                .mapToObj(i -> Integer.toString(r.nextInt(1_000_000)))
                .collect(Collectors.joining(", "))
            + ")";
      case 6:
        return "WITH recent AS (SELECT customer_id, sum(total) AS spent FROM "
            + t
            + " WHERE created_at > now() - interval '"
            + (1 + r.nextInt(30))
            + " days' GROUP BY customer_id)"
            + " SELECT c.id, c.name, r.spent FROM "
            + u
            + " c JOIN recent r ON r.customer_id = c.id"
            + " WHERE r.spent > "
            + r.nextInt(10_000)
            + " ORDER BY r.spent DESC LIMIT 20";
      case 7:
        return "SELECT * FROM "
            + t
            + " WHERE status IN ('"
            + word(r)
            + "', '"
            + word(r)
            + "', '"
            + word(r)
            + "') AND (data->>'region') = '"
            + word(r)
            + "' AND id > $1 /* page */";
      case 8:
        return "INSERT INTO "
            + t
            + " (k, v, updated_at) VALUES ('"
            + word(r)
            + "', '"
            + word(r)
            + "', now()) ON CONFLICT (k) DO UPDATE SET v = excluded.v, updated_at = excluded.updated_at";
      default:
        return "SELECT count(*) FROM "
            + t
            + " WHERE tenant_id = "
            + r.nextInt(500)
            + " AND deleted = false AND created_at BETWEEN '2024-01-01' AND '2024-12-31'";
    }
  }

  private static String word(Random r) {
    StringBuilder b = new StringBuilder();
    int n = 4 + r.nextInt(8);
    for (int i = 0; i < n; i++) {
      b.append((char) ('a' + r.nextInt(26)));
    }
    return b.toString();
  }
}
