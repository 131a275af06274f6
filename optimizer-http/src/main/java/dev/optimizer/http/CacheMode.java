package dev.optimizer.http;

/** Which rules of RFC 9111 the cache follows. */
public enum CacheMode {
  /**
   * A private cache (§1): responses marked {@code private} may be stored, and entries are kept per
   * identity (the credentials a request carries), so one user's response is never served to
   * another.
   */
  PRIVATE,
  /**
   * A shared cache (§3.5): {@code private} responses and responses to requests with {@code
   * Authorization} are not stored (the latter unless {@code public}, {@code s-maxage} or {@code
   * must-revalidate} allow it), {@code s-maxage} takes precedence and implies {@code
   * proxy-revalidate}, and stored responses are shared by every identity.
   */
  SHARED
}
