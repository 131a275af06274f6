package dev.optimizer.http.spring;

import java.net.HttpCookie;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseCookie;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;

/**
 * Converts header fields between Spring's {@link HttpHeaders} and the JDK's {@link
 * java.net.http.HttpHeaders}, which the pipeline works on. Uses only the methods Spring 6 and 7
 * have in common ({@code forEach}, {@code add}, {@code set}).
 */
final class SpringHeaders {
  private SpringHeaders() {}

  /** The fields as JDK headers (names case-insensitive, values in order). */
  static java.net.http.HttpHeaders toJdk(HttpHeaders headers) {
    return toJdk(headers, null, null);
  }

  /**
   * The fields as JDK headers, with one more value of {@code name} after them (none when {@code
   * value} is null), made in one copy.
   */
  static java.net.http.HttpHeaders toJdk(HttpHeaders headers, String name, String value) {
    Map<String, List<String>> map = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.forEach(
        (field, values) -> {
          List<String> all = map.computeIfAbsent(field, k -> new ArrayList<>());
          for (String v : values) {
            if (v != null) {
              all.add(v);
            }
          }
        });
    if (value != null) {
      map.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
    }
    return java.net.http.HttpHeaders.of(map, (n, v) -> true);
  }

  /** The fields as Spring headers. */
  static HttpHeaders toSpring(java.net.http.HttpHeaders headers) {
    HttpHeaders out = new HttpHeaders();
    headers.map().forEach((name, values) -> values.forEach(v -> out.add(name, v)));
    return out;
  }

  /**
   * A copy of {@code original} in which each of {@code extra}'s fields (lower-case names, as the
   * pipeline's conditional headers are) replaces every field of the same name; {@code original}
   * itself when there are none.
   */
  static HttpHeaders withExtra(HttpHeaders original, Map<String, String> extra) {
    return extra.isEmpty() ? original : copyInto(original, extra, new HttpHeaders());
  }

  /**
   * Adds {@code original}'s fields to {@code target}, but for each of {@code extra}'s fields
   * (lower-case names, as the pipeline's conditional headers are) its value in place of every field
   * of that name, after the others; returns {@code target}. An attempt writes straight into the
   * request it sends with this, rather than building {@link #withExtra} and copying that again.
   */
  static HttpHeaders copyInto(HttpHeaders original, Map<String, String> extra, HttpHeaders target) {
    original.forEach(
        (name, values) -> {
          if (extra.isEmpty() || !extra.containsKey(name.toLowerCase(Locale.ROOT))) {
            target.addAll(name, values);
          }
        });
    extra.forEach(target::add);
    return target;
  }

  /** The cookies of one Set-Cookie field; none if it does not parse. */
  static List<ResponseCookie> cookies(String setCookie) {
    try {
      return HttpCookie.parse(setCookie).stream()
          .map(
              c ->
                  ResponseCookie.from(c.getName(), c.getValue())
                      .domain(c.getDomain())
                      .path(c.getPath())
                      .maxAge(c.getMaxAge())
                      .secure(c.getSecure())
                      .httpOnly(c.isHttpOnly())
                      .build())
          .toList();
    } catch (IllegalArgumentException e) {
      return List.of();
    }
  }

  /** The response cookies of every Set-Cookie field of {@code headers}, by name. */
  static MultiValueMap<String, ResponseCookie> cookies(java.net.http.HttpHeaders headers) {
    MultiValueMap<String, ResponseCookie> out = new LinkedMultiValueMap<>();
    headers
        .allValues("set-cookie")
        .forEach(v -> cookies(v).forEach(cookie -> out.add(cookie.getName(), cookie)));
    return out;
  }
}
