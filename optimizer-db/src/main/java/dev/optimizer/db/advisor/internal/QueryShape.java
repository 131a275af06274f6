package dev.optimizer.db.advisor.internal;

import java.util.List;

/**
 * What the advisor needs to know of one statement.
 *
 * @param operation SELECT, INSERT, UPDATE or DELETE
 * @param tables every table the statement reads or writes, in the order met
 */
public record QueryShape(String operation, List<TableUse> tables) {
  /** Copies the list. */
  public QueryShape {
    tables = List.copyOf(tables);
  }

  /** Whether the statement changes rows. */
  public boolean writes() {
    return !operation.equals("SELECT");
  }
}
