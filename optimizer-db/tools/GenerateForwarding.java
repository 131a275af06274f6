import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes the {@code Forwarding*} JDBC base classes of optimizer-db from the java.sql interfaces of
 * the JDK that runs it (use Java 17: the classes must follow JDBC 4.3, the version the module
 * targets). Run from the repository root, then format:
 *
 * <pre>
 * java optimizer-db/tools/GenerateForwarding.java optimizer-db/src/main/java
 * ./mvnw -B -q spotless:apply -pl optimizer-db
 * </pre>
 *
 * Every interface method, defaults included, forwards to the delegate; unwrap/isWrapperFor answer
 * for the delegate first; the parameter setters of prepared and callable statements also call a
 * no-op hook, {@code bound}, that a subclass may override. Not part of the build: the output is
 * committed.
 */
public final class GenerateForwarding {
  private static final String PACKAGE = "dev.optimizer.db.internal.jdbc";

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: GenerateForwarding <source root>");
    }
    Path dir = Path.of(args[0], PACKAGE.split("\\."));
    Files.createDirectories(dir);
    write(dir, Connection.class, null, "connection");
    write(dir, Statement.class, null, "statement");
    write(dir, PreparedStatement.class, Statement.class, "prepared statement");
    write(dir, CallableStatement.class, PreparedStatement.class, "callable statement");
    write(dir, ResultSet.class, null, "result set");
  }

  private static void write(Path dir, Class<?> iface, Class<?> parentIface, String noun)
      throws IOException {
    String name = "Forwarding" + iface.getSimpleName();
    String parent = parentIface == null ? null : "Forwarding" + parentIface.getSimpleName();
    Class<?> root = parentIface == null ? iface : root(parentIface);
    String field =
        root == iface ? "delegate" : "((" + iface.getSimpleName() + ") delegate)";
    Map<String, Method> methods = methods(iface);
    if (parentIface != null) {
      methods(parentIface).keySet().forEach(methods::remove);
    }
    boolean hook = PreparedStatement.class.isAssignableFrom(iface);
    StringBuilder body = new StringBuilder();
    for (Method m : methods.values()) {
      String n = m.getName();
      if (n.equals("unwrap") || n.equals("isWrapperFor")) {
        continue; // written by hand below, once, in the root class
      }
      body.append('\n');
      if (m.isAnnotationPresent(Deprecated.class)) {
        body.append("  @Deprecated\n");
      }
      body.append("  @Override\n  public ");
      TypeVariable<Method>[] tvs = m.getTypeParameters();
      if (tvs.length > 0) {
        body.append('<');
        for (int i = 0; i < tvs.length; i++) {
          body.append(i > 0 ? ", " : "").append(tvs[i].getName());
        }
        body.append("> ");
      }
      body.append(m.getGenericReturnType().getTypeName()).append(' ').append(n).append('(');
      Type[] ps = m.getGenericParameterTypes();
      StringBuilder call = new StringBuilder();
      for (int i = 0; i < ps.length; i++) {
        body.append(i > 0 ? ", " : "").append(ps[i].getTypeName()).append(" a").append(i + 1);
        call.append(i > 0 ? ", " : "").append('a').append(i + 1);
      }
      body.append(')');
      Class<?>[] ex = m.getExceptionTypes();
      for (int i = 0; i < ex.length; i++) {
        body.append(i == 0 ? " throws " : ", ").append(ex[i].getName());
      }
      body.append(" {\n");
      boolean setter =
          hook
              && n.startsWith("set")
              && ps.length >= 2
              && (m.getParameterTypes()[0] == int.class
                  || m.getParameterTypes()[0] == String.class);
      if (setter) {
        // The rule the proxy-based wrapper applied: a value bound with a calendar, a scale or a
        // length is not "plain" (the result cache does not key on it).
        boolean plain =
            !(ps.length > 3
                || ps.length == 3 && !n.startsWith("setObject") && !n.equals("setNull"));
        body.append("    bound(a1, ")
            .append(n.equals("setNull") ? "null" : "a2")
            .append(", ")
            .append(n.equals("setNull"))
            .append(", ")
            .append(plain)
            .append(");\n");
      }
      body.append("    ");
      if (m.getReturnType() != void.class) {
        body.append("return ");
      }
      body.append(field).append('.').append(n).append('(').append(call).append(");\n  }\n");
    }
    StringBuilder out = new StringBuilder();
    out.append("// GENERATED by optimizer-db/tools/GenerateForwarding.java from the java.sql interfaces of\n")
        .append("// Java 17 (JDBC 4.3). Do not edit by hand: change the generator and run it again.\n")
        .append("package ").append(PACKAGE).append(";\n\n");
    out.append("/**\n * A {@link ").append(iface.getName()).append("} that forwards every method, JDBC 4.3 defaults\n")
        .append(" * included, to the ").append(noun).append(" it wraps; subclasses override what they intercept.");
    if (root == iface) {
      out.append(" {@code\n * unwrap} and {@code isWrapperFor} answer for the wrapped object first, then ask it, so that the\n")
          .append(" * driver's and the pool's own types stay reachable.");
    }
    if (hook) {
      out.append(" Each parameter\n * setter first calls {@link #bound}, a no-op here.");
    }
    out.append("\n */\n@SuppressWarnings(\"deprecation\")\npublic abstract class ").append(name);
    if (parent != null) {
      out.append(" extends ").append(parent);
    }
    out.append(" implements ").append(iface.getName()).append(" {\n");
    if (root == iface) {
      out.append("  /** The driver's (or the pool's) object behind this wrapper. */\n")
          .append("  protected final ").append(iface.getName()).append(" delegate;\n\n")
          .append("  /** Wraps {@code delegate}, which must not be null. */\n")
          .append("  protected ").append(name).append('(').append(iface.getName()).append(" delegate) {\n")
          .append("    this.delegate = java.util.Objects.requireNonNull(delegate, \"delegate\");\n  }\n");
      out.append("\n  @Override\n  public <T> T unwrap(java.lang.Class<T> iface) throws java.sql.SQLException {\n")
          .append("    return iface.isInstance(delegate) ? iface.cast(delegate) : delegate.unwrap(iface);\n  }\n")
          .append("\n  @Override\n  public boolean isWrapperFor(java.lang.Class<?> iface) throws java.sql.SQLException {\n")
          .append("    return iface.isInstance(delegate) || delegate.isWrapperFor(iface);\n  }\n")
          .append("\n  /** A readable name: the wrapped object's, marked. */\n  @Override\n  public String toString() {\n")
          .append("    return \"Optimized[\" + delegate + \"]\";\n  }\n");
    } else {
      out.append("  /** Wraps {@code delegate}, which must not be null. */\n")
          .append("  protected ").append(name).append('(').append(iface.getName()).append(" delegate) {\n")
          .append("    super(delegate);\n  }\n");
    }
    if (hook && parent != null && !parent.equals("ForwardingStatement")) {
      // the hook is declared once, in ForwardingPreparedStatement
    } else if (hook) {
      out.append("\n  /**\n   * Told of each parameter before it is bound: its position (an Integer, or the parameter's name\n")
          .append("   * for a callable statement), its value ({@code null} for {@code setNull}) and whether it was\n")
          .append("   * bound without a calendar, scale or length. Does nothing here.\n   */\n")
          .append("  protected void bound(Object position, Object value, boolean isNull, boolean plain) {}\n");
    }
    out.append(body).append("}\n");
    Files.writeString(dir.resolve(name + ".java"), imports(out.toString()));
  }

  private static Class<?> root(Class<?> iface) {
    return iface == PreparedStatement.class ? Statement.class : iface;
  }

  /** Public instance methods by signature; the most specific declaration wins. */
  private static Map<String, Method> methods(Class<?> iface) {
    Map<String, Method> bySignature = new TreeMap<>();
    for (Method m : iface.getMethods()) {
      if (Modifier.isStatic(m.getModifiers())) {
        continue;
      }
      String sig = m.getName() + Arrays.toString(m.getParameterTypes());
      Method known = bySignature.get(sig);
      if (known == null
          || known.getDeclaringClass().isAssignableFrom(m.getDeclaringClass())) {
        bySignature.put(sig, m);
      }
    }
    return new LinkedHashMap<>(bySignature);
  }

  /** Shortens java.lang names, and java.sql/java.util/java.io... names by import. */
  private static String imports(String src) {
    String header = src.substring(0, src.indexOf("/**\n * A {@link"));
    String rest = src.substring(header.length());
    rest = rest.replaceAll("\\bjava\\.lang\\.([A-Z]\\w*)\\b(?!\\.)", "$1");
    Matcher m =
        Pattern.compile("\\bjava\\.(sql|io|math|net|util|util\\.concurrent)\\.([A-Z]\\w*)\\b(?![.(])")
            .matcher(rest);
    Map<String, String> simple = new TreeMap<>();
    List<String[]> hits = new ArrayList<>();
    while (m.find()) {
      String fqn = m.group();
      String s = m.group(2);
      if (!simple.containsKey(s)) {
        simple.put(s, fqn);
      }
    }
    TreeSet<String> imported = new TreeSet<>(Comparator.naturalOrder());
    for (Map.Entry<String, String> e : simple.entrySet()) {
      imported.add(e.getValue());
      rest = rest.replaceAll("\\b" + Pattern.quote(e.getValue()) + "\\b(?![.(])", e.getKey());
    }
    // the class Javadoc's {@link} keeps working with the simple name after the import
    StringBuilder imp = new StringBuilder();
    for (String i : imported) {
      imp.append("import ").append(i).append(";\n");
    }
    return header + imp + "\n" + rest;
  }
}
