package dev.optimizer.demo.app;

import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/** Orders: place one, list a customer's latest. */
@RestController
public class OrderController {
  /** An order to place. */
  public record NewOrder(int customerId, List<OrderRepository.Line> items) {}

  /** The placed order's id. */
  public record Placed(long orderId) {}

  private final OrderRepository orders;

  /** Serves from {@code orders}. */
  public OrderController(OrderRepository orders) {
    this.orders = orders;
  }

  /** Places an order. */
  @PostMapping("/orders")
  @ResponseStatus(HttpStatus.CREATED)
  public Placed place(@RequestBody NewOrder order) {
    if (order.items() == null || order.items().isEmpty()) {
      throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "an order needs items");
    }
    return new Placed(orders.create(order.customerId(), order.items()));
  }

  /** The customer's 15 latest orders with their items. */
  @GetMapping("/customers/{id}/orders")
  public List<OrderRepository.Order> latest(@PathVariable int id) {
    return orders.latest(id, 15);
  }
}
