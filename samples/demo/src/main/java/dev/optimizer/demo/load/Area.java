package dev.optimizer.demo.load;

/** The three areas the demo compares, each measured on its own endpoints. */
public enum Area {
  /** Category pages and orders: PostgreSQL only. */
  DB("DB", "GET /categories/{id}/top, GET /customers/{id}/orders, POST /orders"),
  /** Product pages: a PostgreSQL read and a call to the downstream inventory service. */
  HTTP("HTTP", "GET /products/{id} (product row + downstream price/stock)"),
  /** The shop assistant: an embedding, a vector search and a chat completion. */
  AI("AI", "POST /ask (embed + nearest products + chat)");

  private final String label;
  private final String endpoints;

  Area(String label, String endpoints) {
    this.label = label;
    this.endpoints = endpoints;
  }

  /** The short name shown in the table. */
  public String label() {
    return label;
  }

  /** The endpoints measured for this area. */
  public String endpoints() {
    return endpoints;
  }
}
