package dev.optimizer.demo.app;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.SplittableRandom;
import javax.sql.DataSource;

/**
 * The demo's schema and its generated, seeded data: categories, products with reviews, customers
 * with a history of orders. Run by the driver on the database before the service starts, and again
 * between phases ({@link #resetOrders}) so that both phases see the same state.
 */
public final class DemoData {
  /** The product kinds; each is a category of {@link #PRODUCTS_PER_CATEGORY} products. */
  public static final List<String> KINDS =
      List.of(
          "running shoes",
          "hiking boots",
          "rain jacket",
          "tent",
          "sleeping bag",
          "backpack",
          "headlamp",
          "water bottle",
          "coffee grinder",
          "espresso machine",
          "kettle",
          "chef knife",
          "frying pan",
          "blender",
          "desk lamp",
          "office chair",
          "standing desk",
          "monitor",
          "keyboard",
          "mouse",
          "headphones",
          "speaker",
          "smartwatch",
          "fitness tracker",
          "yoga mat",
          "dumbbell set",
          "bicycle helmet",
          "bike light",
          "camera",
          "tripod",
          "drone",
          "board game",
          "jigsaw puzzle",
          "cookbook",
          "plant pot",
          "garden hose",
          "cordless drill",
          "screwdriver set",
          "paint brush",
          "suitcase");

  /** What products are for; questions ask for a kind for a use. */
  public static final List<String> USES =
      List.of(
          "beginners",
          "travel",
          "winter",
          "a small apartment",
          "kids",
          "professionals",
          "everyday use",
          "a tight budget",
          "the outdoors",
          "gifts");

  /** Products per category. */
  public static final int PRODUCTS_PER_CATEGORY = 50;

  /** Customers with an order history. */
  public static final int CUSTOMERS = 200;

  private static final List<String> BRANDS =
      List.of("Northwind", "Acme", "Globex", "Initech", "Umbra", "Vertex", "Halcyon", "Kestrel");
  private static final List<String> ADJECTIVES =
      List.of(
          "lightweight",
          "durable",
          "compact",
          "premium",
          "classic",
          "quiet",
          "waterproof",
          "ergonomic",
          "foldable",
          "rechargeable");
  private static final int REVIEWS_PER_PRODUCT = 15;
  private static final int HISTORY_ORDERS_PER_CUSTOMER = 12;

  private DemoData() {}

  /** Products in the catalog. */
  public static int products() {
    return KINDS.size() * PRODUCTS_PER_CATEGORY;
  }

  /** Creates the schema and generates the catalog and the order history. */
  public static void create(DataSource ds, long seed) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE categories (id int PRIMARY KEY, name text NOT NULL, description text)");
      s.execute(
          "CREATE TABLE products (id int PRIMARY KEY, category_id int NOT NULL REFERENCES"
              + " categories(id), name text NOT NULL, description text NOT NULL, list_price"
              + " numeric(10,2) NOT NULL)");
      s.execute("CREATE INDEX products_category ON products(category_id)");
      s.execute(
          "CREATE TABLE reviews (id bigserial PRIMARY KEY, product_id int NOT NULL REFERENCES"
              + " products(id), rating int NOT NULL, body text)");
      s.execute("CREATE INDEX reviews_product ON reviews(product_id)");
      s.execute("CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL)");
      s.execute(
          "CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id int NOT NULL REFERENCES"
              + " customers(id), created_at timestamptz NOT NULL DEFAULT now(), status text NOT"
              + " NULL)");
      s.execute("CREATE INDEX orders_customer ON orders(customer_id)");
      s.execute(
          "CREATE TABLE order_items (order_id bigint NOT NULL REFERENCES orders(id), product_id"
              + " int NOT NULL REFERENCES products(id), quantity int NOT NULL)");
      s.execute("CREATE INDEX order_items_order ON order_items(order_id)");
    }
    SplittableRandom random = new SplittableRandom(seed);
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement cat = c.prepareStatement("INSERT INTO categories VALUES (?,?,?)");
          PreparedStatement prod = c.prepareStatement("INSERT INTO products VALUES (?,?,?,?,?)");
          PreparedStatement rev =
              c.prepareStatement("INSERT INTO reviews (product_id, rating, body) VALUES (?,?,?)")) {
        for (int k = 0; k < KINDS.size(); k++) {
          String kind = KINDS.get(k);
          cat.setInt(1, k + 1);
          cat.setString(2, kind);
          cat.setString(3, "Everything in " + kind + ", hand-picked.");
          cat.addBatch();
        }
        cat.executeBatch();
        for (int id = 1; id <= products(); id++) {
          int k = (id - 1) / PRODUCTS_PER_CATEGORY;
          String kind = KINDS.get(k);
          String brand = BRANDS.get(random.nextInt(BRANDS.size()));
          String adjective = ADJECTIVES.get(random.nextInt(ADJECTIVES.size()));
          String use = USES.get(random.nextInt(USES.size()));
          prod.setInt(1, id);
          prod.setInt(2, k + 1);
          prod.setString(3, brand + " " + adjective + " " + kind + " " + id);
          prod.setString(
              4, "A " + adjective + " " + kind + " by " + brand + ", made for " + use + ".");
          prod.setBigDecimal(5, java.math.BigDecimal.valueOf(500 + random.nextInt(20_000), 2));
          prod.addBatch();
          for (int r = 0; r < REVIEWS_PER_PRODUCT; r++) {
            rev.setInt(1, id);
            rev.setInt(2, 1 + random.nextInt(5));
            rev.setString(3, "Review " + r + " of product " + id);
            rev.addBatch();
          }
          if (id % 200 == 0) {
            prod.executeBatch();
            rev.executeBatch();
          }
        }
        prod.executeBatch();
        rev.executeBatch();
      }
      try (PreparedStatement cust = c.prepareStatement("INSERT INTO customers VALUES (?,?)")) {
        for (int id = 1; id <= CUSTOMERS; id++) {
          cust.setInt(1, id);
          cust.setString(2, "Customer " + id);
          cust.addBatch();
        }
        cust.executeBatch();
      }
      c.commit();
    }
    resetOrders(ds, seed);
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute("ANALYZE");
    }
  }

  /** Empties the orders and generates the same order history again. */
  public static void resetOrders(DataSource ds, long seed) throws SQLException {
    SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("TRUNCATE order_items, orders RESTART IDENTITY");
      }
      try (PreparedStatement order =
              c.prepareStatement(
                  "INSERT INTO orders (id, customer_id, status) VALUES (?,?,'delivered')");
          PreparedStatement item =
              c.prepareStatement(
                  "INSERT INTO order_items (order_id, product_id, quantity) VALUES (?,?,?)")) {
        long id = 0;
        for (int customer = 1; customer <= CUSTOMERS; customer++) {
          for (int o = 0; o < HISTORY_ORDERS_PER_CUSTOMER; o++) {
            id++;
            order.setLong(1, id);
            order.setInt(2, customer);
            order.addBatch();
            int items = 1 + random.nextInt(3);
            for (int i = 0; i < items; i++) {
              item.setLong(1, id);
              item.setInt(2, 1 + random.nextInt(products()));
              item.setInt(3, 1 + random.nextInt(3));
              item.addBatch();
            }
          }
        }
        order.executeBatch();
        item.executeBatch();
        try (Statement s = c.createStatement()) {
          s.execute("SELECT setval('orders_id_seq', " + id + ")");
        }
      }
      c.commit();
    }
  }
}
