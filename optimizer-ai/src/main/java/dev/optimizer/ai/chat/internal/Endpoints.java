package dev.optimizer.ai.chat.internal;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The endpoint a LangChain4j model sends its requests to, where it can be read.
 *
 * <p>LangChain4j's {@code ChatModel} and {@code StreamingChatModel} expose {@code provider()} and
 * {@code defaultRequestParameters()}, not the base URL they were built with. LangChain4j's own
 * models keep it in a field of their client ({@code OpenAiChatModel.client.baseUrl}, the same in
 * {@code OpenAiStreamingChatModel} and the Responses API models), so it is read from there: fields
 * named {@code baseUrl}, {@code baseUri} or {@code endpoint} (a {@code String}, {@code URI} or
 * {@code URL}) of the model itself or of the LangChain4j objects it holds. The model's class must
 * be LangChain4j's own ({@code dev.langchain4j.*}): what an application's own class calls its
 * endpoint is not known. Nothing found, more than one value found, or fields that cannot be read:
 * no endpoint, and the caller falls back to the wrapped instance.
 *
 * <p>The endpoint returned is safe to print: scheme, host, port and path, lower-cased where case
 * does not matter, without a trailing slash; user info and query (which may hold a key) are left
 * out, and when present a digest of the whole URL is appended so that two URLs differing there stay
 * apart.
 */
final class Endpoints {
  private static final Set<String> NAMES = Set.of("baseurl", "baseuri", "endpoint");

  private Endpoints() {}

  /** The endpoint of {@code model}, if it is a LangChain4j model whose endpoint can be read. */
  static Optional<String> of(Object model) {
    if (!ModelFields.langchain4j(model.getClass())) {
      return Optional.empty();
    }
    Set<String> found = new TreeSet<>();
    try {
      collect(model, 0, found);
    } catch (RuntimeException e) {
      // A field that cannot be read (a module that does not open its package, a security manager):
      // the endpoint is not knowable, which is not an error.
      return Optional.empty();
    }
    return found.size() == 1 ? Optional.of(found.iterator().next()) : Optional.empty();
  }

  /** The endpoint fields of {@code o}, and of the LangChain4j objects it holds (one level down). */
  private static void collect(Object o, int depth, Set<String> found) {
    for (Class<?> c = o.getClass();
        c != null && ModelFields.langchain4j(c);
        c = c.getSuperclass()) {
      for (Field f : c.getDeclaredFields()) {
        if (Modifier.isStatic(f.getModifiers()) || f.getType().isPrimitive()) {
          continue;
        }
        boolean named = NAMES.contains(f.getName().toLowerCase(Locale.ROOT));
        Class<?> t = f.getType();
        boolean value = t == String.class || t == URI.class || t == URL.class;
        boolean nested = depth == 0 && !value && !t.isArray();
        if (!(named && value) && !nested) {
          continue;
        }
        Object v = ModelFields.read(f, o);
        if (v == null) {
          continue;
        }
        if (named && value) {
          found.add(printable(v.toString()));
        } else if (ModelFields.langchain4j(v.getClass())) {
          collect(v, depth + 1, found);
        }
      }
    }
  }

  /** A URL without user info or query, with a digest of the whole when it had them. */
  static String printable(String url) {
    String raw = url.strip();
    try {
      URI u = new URI(raw);
      if (u.getScheme() == null || u.getHost() == null) {
        return "#" + digest(raw);
      }
      String path = u.getRawPath() == null ? "" : u.getRawPath();
      while (path.endsWith("/")) {
        path = path.substring(0, path.length() - 1);
      }
      String shown =
          u.getScheme().toLowerCase(Locale.ROOT)
              + "://"
              + u.getHost().toLowerCase(Locale.ROOT)
              + (u.getPort() >= 0 ? ":" + u.getPort() : "")
              + path;
      boolean hidden = u.getRawUserInfo() != null || u.getRawQuery() != null;
      return hidden ? shown + "#" + digest(raw) : shown;
    } catch (java.net.URISyntaxException e) {
      return "#" + digest(raw);
    }
  }

  private static String digest(String s) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }
}
