package dev.optimizer.demo.app;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The demo service: a catalog (PostgreSQL plus a downstream inventory service), orders (PostgreSQL)
 * and a shop assistant (an embedding model and a chat model). Started by the driver ({@code
 * dev.optimizer.demo.DemoMain}) with the infrastructure's addresses as properties.
 */
@SpringBootApplication
public class DemoApplication {}
