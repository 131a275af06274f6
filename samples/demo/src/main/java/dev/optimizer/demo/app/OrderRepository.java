package dev.optimizer.demo.app;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.jdbc.support.KeyHolder;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** Writes orders and lists a customer's orders. */
@Repository
public class OrderRepository {
  /** A line of an order to create. */
  public record Line(int productId, int quantity) {}

  /** A line of an order, with the product's name. */
  public record Item(int productId, String name, int quantity) {}

  /** An order as listed. */
  public record Order(long id, OffsetDateTime createdAt, String status, List<Item> items) {}

  private record Head(long id, OffsetDateTime createdAt, String status) {}

  private final JdbcClient jdbc;
  private final TransactionTemplate writeTx;
  private final TransactionTemplate readTx;

  /** Uses {@code jdbc} within transactions of {@code transactions}. */
  public OrderRepository(JdbcClient jdbc, PlatformTransactionManager transactions) {
    this.jdbc = jdbc;
    this.writeTx = new TransactionTemplate(transactions);
    this.readTx = new TransactionTemplate(transactions);
    readTx.setReadOnly(true);
  }

  /** Creates an order with its lines in one transaction; returns its id. */
  public long create(int customerId, List<Line> lines) {
    Long id =
        writeTx.execute(
            status -> {
              KeyHolder key = new GeneratedKeyHolder();
              jdbc.sql("INSERT INTO orders (customer_id, status) VALUES (?, 'placed')")
                  .param(customerId)
                  .update(key, "id");
              long orderId = key.getKey().longValue();
              for (Line line : lines) {
                jdbc.sql(
                        "INSERT INTO order_items (order_id, product_id, quantity) VALUES (?, ?, ?)")
                    .param(orderId)
                    .param(line.productId())
                    .param(line.quantity())
                    .update();
              }
              return orderId;
            });
    return id;
  }

  /**
   * The customer's latest orders with their items. The items are loaded order by order — the N+1
   * pattern an ORM produces by default, left in on purpose: the optimizer reports it.
   */
  public List<Order> latest(int customerId, int limit) {
    return readTx.execute(
        status -> {
          List<Head> heads =
              jdbc.sql(
                      "SELECT id, created_at, status FROM orders WHERE customer_id = ?"
                          + " ORDER BY id DESC LIMIT ?")
                  .param(customerId)
                  .param(limit)
                  .query(Head.class)
                  .list();
          List<Order> orders = new ArrayList<>(heads.size());
          for (Head h : heads) {
            List<Item> items =
                jdbc.sql(
                        "SELECT oi.product_id, p.name, oi.quantity FROM order_items oi"
                            + " JOIN products p ON p.id = oi.product_id WHERE oi.order_id = ?"
                            + " ORDER BY oi.product_id")
                    .param(h.id())
                    .query(Item.class)
                    .list();
            orders.add(new Order(h.id(), h.createdAt(), h.status(), items));
          }
          return orders;
        });
  }
}
