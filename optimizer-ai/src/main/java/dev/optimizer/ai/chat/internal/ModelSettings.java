package dev.optimizer.ai.chat.internal;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The digest of the settings a LangChain4j model was built with that change its answers but are not
 * request parameters, so that the cache key (and the semantic tier's context) covers them.
 *
 * <p>LangChain4j's builders take some settings that reach the request, or the response, without
 * going through {@code defaultRequestParameters()}: on {@code OpenAiChatModel} and {@code
 * OpenAiStreamingChatModel} (1.19) {@code strictTools} and {@code strictJsonSchema} (the {@code
 * strict} flag of tools and JSON schemas, which changes what the model may generate), {@code
 * returnThinking} (whether the reasoning is kept in the {@code AiMessage} and streamed), {@code
 * sendThinking} and {@code thinkingFieldName} (whether and how earlier reasoning is sent back),
 * {@code responseFormat(String)} ({@code responseFormatString}), {@code useInputImageFormat}; on
 * their client, {@code customQueryParams} (an {@code api-version}, say). Two models of one endpoint
 * that differ only there must not share answers, so every such field is read, by name, from the
 * model and from the LangChain4j objects it holds (its client), one level down, as {@link
 * Endpoints} reads the base URL.
 *
 * <p>What is read: fields of plain values (primitives, their boxes, strings, enums), collections
 * and maps of them, and objects that print themselves. What is left out, because it does not change
 * the answer or is covered elsewhere:
 *
 * <ul>
 *   <li>{@code defaultRequestParameters}: merged into the effective request, whose every parameter
 *       the key covers;
 *   <li>the endpoint ({@code baseUrl}): the model's identity already ({@link Endpoints});
 *   <li>credentials and who is calling ({@code apiKey}, {@code organizationId}, {@code projectId},
 *       {@code userAgent}, and the header fields and query parameters of the {@linkplain
 *       #credential credential rule}): they decide who pays, not what the model answers, a key
 *       rotation must not empty the cache, and a secret must never be key material;
 *   <li>transport and retries ({@code maxRetries}, timeouts, logging, the HTTP client): they decide
 *       whether an answer arrives, not which;
 *   <li>{@code listeners} and {@code supportedCapabilities}: what the application observes and what
 *       the model claims to support; neither reaches the request;
 *   <li>{@code accumulateToolCallId} (streaming only): how the ids of streamed tool calls are
 *       assembled; answers with tool calls are never cached, and the field exists on the streaming
 *       model only, so reading it would keep a blocking and a streaming model of one endpoint from
 *       sharing answers;
 *   <li>custom headers given as the application's own {@code Supplier}: LangChain4j calls it per
 *       request, so its value at build time says nothing about later requests, and calling it
 *       outside a request may fail (an application whose headers select another model should give
 *       that model another base URL, or a scope).
 * </ul>
 *
 * <p>Header fields are key material otherwise: the client's {@code defaultHeaders} and the static
 * custom headers ({@code customHeaders(Map)}, which LangChain4j wraps in a supplier of its own that
 * returns the map, and which is therefore read) are in the digest, names in lower case, so that an
 * {@code OpenAI-Beta}, an {@code anthropic-version}, an {@code api-version} or a routing header
 * that changes the answer keeps two models apart; their credentials are not ({@link #credential}),
 * so two models that differ only in a token share answers within one scope, as two API keys do. The
 * same rule drops credentials from {@code customQueryParams}. What is read is only hashed: no
 * setting is kept, logged or recorded in clear.
 *
 * <p>A field at its neutral value ({@code null}, or a primitive {@code false}) is left out too, so
 * that a setting only one of the blocking and streaming classes has, left unset, does not keep them
 * from sharing answers. Only LangChain4j's own classes ({@code dev.langchain4j.*}) are read: an
 * application's own model is told apart by instance anyway ({@link ChatCore#instance}).
 */
final class ModelSettings {
  private static final Set<String> LEFT_OUT =
      Set.of(
          "defaultrequestparameters",
          "baseurl",
          "baseuri",
          "endpoint",
          "apikey",
          "organizationid",
          "organization",
          "projectid",
          "project",
          "useragent",
          "maxretries",
          "timeout",
          "connecttimeout",
          "readtimeout",
          "logrequests",
          "logresponses",
          "logger",
          "httpclient",
          "listeners",
          "supportedcapabilities",
          "accumulatetoolcallid");

  /** Header and query parameter names that carry credentials or say who is calling. */
  private static final Set<String> CREDENTIALS =
      Set.of(
          "authorization",
          "proxy-authorization",
          "api-key",
          "x-api-key",
          "cookie",
          "user-agent",
          "openai-organization",
          "openai-project",
          "sig");

  /** Words that, anywhere in a header or query parameter name, suggest a secret. */
  private static final List<String> SECRET_WORDS =
      List.of(
          "token", "key", "secret", "pass", "auth", "credential", "cookie", "session", "signature");

  // Nesting deeper than this inside one setting's value is printed as a whole.
  private static final int MAX_DEPTH = 8;

  private ModelSettings() {}

  /**
   * The hex digest of the answer-changing settings of {@code model}; "" when it has none (not a
   * LangChain4j model, or every such setting at its neutral value); null when they cannot be read,
   * and the caller must then tell the model apart by instance.
   */
  static String of(Object model) {
    if (!ModelFields.langchain4j(model.getClass())) {
      return "";
    }
    Map<String, String> found = new TreeMap<>();
    try {
      collect(model, "", 0, found);
    } catch (RuntimeException e) {
      // A field that cannot be read (a module that does not open its package): the settings are
      // unknown, so no other model may be assumed to have the same.
      return null;
    }
    if (found.isEmpty()) {
      return "";
    }
    MessageDigest d = sha256();
    for (Map.Entry<String, String> e : found.entrySet()) {
      update(d, e.getKey());
      update(d, e.getValue());
    }
    return HexFormat.of().formatHex(d.digest(), 0, 16);
  }

  private static void collect(Object o, String prefix, int depth, Map<String, String> found) {
    for (Class<?> c = o.getClass();
        c != null && ModelFields.langchain4j(c);
        c = c.getSuperclass()) {
      for (Field f : c.getDeclaredFields()) {
        String lower = f.getName().toLowerCase(Locale.ROOT);
        if (Modifier.isStatic(f.getModifiers()) || f.isSynthetic() || LEFT_OUT.contains(lower)) {
          continue;
        }
        Object v = ModelFields.read(f, o);
        if (lower.contains("header")) {
          v = withoutCredentials(staticValue(v));
        } else if (lower.contains("queryparam") && v instanceof Map<?, ?> m) {
          v = withoutCredentials(m);
        }
        if (v == null || (f.getType() == boolean.class && !((Boolean) v))) {
          continue;
        }
        String name = prefix + f.getName();
        if (depth == 0 && ModelFields.langchain4j(v.getClass()) && !plain(v)) {
          // A client, or a settings object of a provider: its own settings, one level down.
          collect(v, name + ".", depth + 1, found);
          continue;
        }
        String printed = print(v, 0);
        if (printed != null) {
          found.merge(name, printed, (a, b) -> a + "|" + b);
        }
        // Anything else (a lambda, a client of another library) is machinery, not a setting.
      }
    }
  }

  /**
   * The map a header field holds: the map itself, or what a supplier of LangChain4j's own returns
   * (the one {@code customHeaders(Map)} wraps the map in, or the client's empty default); null for
   * anything else, an application's own supplier included (see the class comment).
   */
  private static Map<?, ?> staticValue(Object v) {
    if (v instanceof Map<?, ?> m) {
      return m;
    }
    if (v instanceof Supplier<?> s && ModelFields.langchain4j(s.getClass())) {
      Object got;
      try {
        got = s.get();
      } catch (RuntimeException e) {
        return null; // not a static map after all: left out, as an application's supplier is
      }
      return got instanceof Map<?, ?> m ? m : null;
    }
    return null;
  }

  /**
   * The entries of {@code fields} (header fields or query parameters) whose names are not {@link
   * #credential credentials}, by lower-case name; null when none is left (a neutral value), so that
   * a client whose only headers are its credentials has the digest of one with none.
   */
  private static Map<String, String> withoutCredentials(Map<?, ?> fields) {
    if (fields == null) {
      return null;
    }
    TreeMap<String, String> kept = new TreeMap<>();
    for (Map.Entry<?, ?> e : fields.entrySet()) {
      if (e.getKey() == null) {
        continue;
      }
      String name = e.getKey().toString().toLowerCase(Locale.ROOT);
      if (!credential(name)) {
        kept.merge(name, String.valueOf(e.getValue()), (a, b) -> a + "," + b);
      }
    }
    return kept.isEmpty() ? null : kept;
  }

  /**
   * Whether a header field or query parameter named {@code name} carries a credential or says who
   * is calling, and so is never key material: {@code Authorization}, {@code Proxy-Authorization},
   * {@code api-key}, {@code x-api-key}, {@code Cookie}, {@code User-Agent}, {@code
   * OpenAI-Organization}, {@code OpenAI-Project}, {@code sig} (a signed URL's signature), and any
   * name (case-insensitive) containing {@code token}, {@code key}, {@code secret}, {@code pass},
   * {@code auth}, {@code credential}, {@code cookie}, {@code session} or {@code signature}. Erring
   * towards leaving a field out only lets two models share more within one scope; keeping a secret
   * would make it key material.
   */
  static boolean credential(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    if (CREDENTIALS.contains(lower)) {
      return true;
    }
    for (String word : SECRET_WORDS) {
      if (lower.contains(word)) {
        return true;
      }
    }
    return false;
  }

  private static boolean plain(Object v) {
    return v instanceof CharSequence
        || v instanceof Number
        || v instanceof Boolean
        || v instanceof Character
        || v instanceof Enum<?>
        || v instanceof Map<?, ?>
        || v instanceof Collection<?>;
  }

  /** The value printed faithfully, or null when it is not a value this can print. */
  private static String print(Object v, int depth) {
    if (v == null) {
      return "null";
    }
    if (v instanceof CharSequence
        || v instanceof Number
        || v instanceof Boolean
        || v instanceof Character
        || v instanceof Enum<?>) {
      return v.getClass().getSimpleName() + ":" + quote(v.toString());
    }
    if (depth > MAX_DEPTH) {
      return String.valueOf(v);
    }
    if (v instanceof Map<?, ?> m) {
      // Ordered by the printed key: equal maps print alike whatever their class or history.
      TreeMap<String, String> sorted = new TreeMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        String k = print(e.getKey(), depth + 1);
        String val = print(e.getValue(), depth + 1);
        if (k == null || val == null) {
          return null;
        }
        sorted.put(k, val);
      }
      return "{" + String.join(",", entries(sorted)) + "}";
    }
    if (v instanceof Collection<?> c) {
      List<String> items = new ArrayList<>();
      for (Object o : c) {
        String p = print(o, depth + 1);
        if (p == null) {
          return null;
        }
        items.add(p);
      }
      if (v instanceof Set<?>) {
        items.sort(null);
      }
      return "[" + String.join(",", items) + "]";
    }
    if (ModelFields.langchain4j(v.getClass()) && declaresToString(v.getClass())) {
      return v.getClass().getName() + ":" + quote(v.toString());
    }
    return null;
  }

  private static List<String> entries(TreeMap<String, String> m) {
    List<String> out = new ArrayList<>();
    m.forEach((k, v) -> out.add(k + "=" + v));
    return out;
  }

  /** Length-prefixed, so that no two different values print alike. */
  private static String quote(String s) {
    return s.length() + "'" + s;
  }

  private static boolean declaresToString(Class<?> c) {
    try {
      return c.getMethod("toString").getDeclaringClass() != Object.class;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }

  private static void update(MessageDigest d, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    d.update(
        new byte[] {
          (byte) (b.length >>> 24),
          (byte) (b.length >>> 16),
          (byte) (b.length >>> 8),
          (byte) b.length
        });
    d.update(b);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }
}
