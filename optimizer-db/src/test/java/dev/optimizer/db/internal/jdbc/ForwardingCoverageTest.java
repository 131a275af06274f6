package dev.optimizer.db.internal.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The generated forwarding classes cover the JDBC interfaces of the running JDK: every method, JDBC
 * 4.3 defaults included, is implemented by a forwarding class rather than left to the interface's
 * default (which would not reach the driver). Fails when the classes were generated from older
 * interfaces than the ones the module runs on. The prepared and callable statements are checked on
 * their measured wrappers, the classes the application gets, since their forwarding is split
 * between the generated layers and the Statement-level wrapper they extend.
 */
class ForwardingCoverageTest {
  private static List<String> notForwarded(Class<?> iface, Class<?> forwarding) throws Exception {
    List<String> missing = new ArrayList<>();
    for (Method m : iface.getMethods()) {
      if (Modifier.isStatic(m.getModifiers())) {
        continue;
      }
      Method impl = forwarding.getMethod(m.getName(), m.getParameterTypes());
      if (impl.getDeclaringClass().isInterface() || Modifier.isAbstract(impl.getModifiers())) {
        missing.add(m.toString());
      }
    }
    return missing;
  }

  @Test
  void everyMethodOfEveryInterfaceIsForwarded() throws Exception {
    assertThat(notForwarded(Connection.class, ForwardingConnection.class)).isEmpty();
    assertThat(notForwarded(Statement.class, ForwardingStatement.class)).isEmpty();
    assertThat(notForwarded(PreparedStatement.class, wrapper("InstrumentedPreparedStatement")))
        .isEmpty();
    assertThat(notForwarded(CallableStatement.class, wrapper("InstrumentedCallableStatement")))
        .isEmpty();
    assertThat(notForwarded(ResultSet.class, ForwardingResultSet.class)).isEmpty();
  }

  @Test
  void eachStatementWrapperHasExactlyItsOwnInterface() throws Exception {
    Class<?> plain = wrapper("InstrumentedStatement");
    Class<?> prepared = wrapper("InstrumentedPreparedStatement");
    assertThat(PreparedStatement.class.isAssignableFrom(plain)).as("plain is prepared").isFalse();
    assertThat(PreparedStatement.class.isAssignableFrom(prepared)).as("prepared").isTrue();
    assertThat(CallableStatement.class.isAssignableFrom(prepared))
        .as("prepared is callable")
        .isFalse();
    assertThat(CallableStatement.class.isAssignableFrom(wrapper("InstrumentedCallableStatement")))
        .as("callable")
        .isTrue();
  }

  private static Class<?> wrapper(String simpleName) throws ClassNotFoundException {
    return Class.forName("dev.optimizer.db.internal." + simpleName);
  }

  @Test
  void theResultCachesResultSetAnswersEveryMethod() throws Exception {
    Class<?> base = Class.forName("dev.optimizer.db.cache.internal.CachedResultSet");
    assertThat(notForwarded(ResultSet.class, base)).isEmpty();
  }
}
