package dev.optimizer.demo.app;

import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Reads the catalog: products, categories and their reviews. */
@Repository
public class CatalogRepository {
  /** One product with its category. */
  public record Product(
      int id, String name, String description, BigDecimal listPrice, String category) {}

  /** A product in a category page, with its average rating. */
  public record RatedProduct(
      int id, String name, BigDecimal listPrice, BigDecimal rating, long reviews) {}

  /** A product's text, for the ask index. */
  public record ProductText(int id, String name, String description) {}

  private final JdbcClient jdbc;

  /** Reads through {@code jdbc}. */
  public CatalogRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** The product with this id. */
  public Optional<Product> product(int id) {
    return jdbc.sql(
            "SELECT p.id, p.name, p.description, p.list_price, c.name AS category"
                + " FROM products p JOIN categories c ON c.id = p.category_id WHERE p.id = ?")
        .param(id)
        .query(Product.class)
        .optional();
  }

  /** A category page: its best-rated products (an aggregate over the reviews). */
  public List<RatedProduct> topRated(int categoryId, int limit) {
    return jdbc.sql(
            "SELECT p.id, p.name, p.list_price, round(avg(r.rating), 2) AS rating,"
                + " count(r.id) AS reviews FROM products p JOIN reviews r ON r.product_id = p.id"
                + " WHERE p.category_id = ? GROUP BY p.id, p.name, p.list_price"
                + " ORDER BY rating DESC, p.id LIMIT ?")
        .param(categoryId)
        .param(limit)
        .query(RatedProduct.class)
        .list();
  }

  /** Every product's name and description, by id. */
  public List<ProductText> texts() {
    return jdbc.sql("SELECT id, name, description FROM products ORDER BY id")
        .query(ProductText.class)
        .list();
  }
}
