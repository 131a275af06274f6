package dev.optimizer.demo.app;

import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/** The catalog: a product page (with its live price and stock) and a category page. */
@RestController
public class CatalogController {
  /** A product page. */
  public record ProductPage(
      CatalogRepository.Product product, InventoryClient.Inventory inventory) {}

  private final CatalogRepository catalog;
  private final InventoryClient inventory;

  /** Serves from {@code catalog} and {@code inventory}. */
  public CatalogController(CatalogRepository catalog, InventoryClient inventory) {
    this.catalog = catalog;
    this.inventory = inventory;
  }

  /** A product with its current price and stock from the inventory service. */
  @GetMapping("/products/{id}")
  public ProductPage product(@PathVariable int id) {
    CatalogRepository.Product p =
        catalog
            .product(id)
            .orElseThrow(
                () -> new ResponseStatusException(HttpStatus.NOT_FOUND, "no product " + id));
    return new ProductPage(p, inventory.of(id));
  }

  /** A category's best-rated products. */
  @GetMapping("/categories/{id}/top")
  public List<CatalogRepository.RatedProduct> top(@PathVariable int id) {
    return catalog.topRated(id, 10);
  }
}
