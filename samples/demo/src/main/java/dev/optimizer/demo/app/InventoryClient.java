package dev.optimizer.demo.app;

import java.math.BigDecimal;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;

/** Calls the downstream inventory service for a product's current price and stock. */
@Component
public class InventoryClient {
  /** A product's price and stock, as the inventory service reports them. */
  public record Inventory(int id, BigDecimal price, int stock) {}

  private final RestClient inventory;

  /** Calls through {@code inventory} (a RestClient with the service's base URL). */
  public InventoryClient(RestClient inventory) {
    this.inventory = inventory;
  }

  /** The current price and stock of a product. */
  public Inventory of(int productId) {
    return inventory.get().uri("/inventory/{id}", productId).retrieve().body(Inventory.class);
  }
}
