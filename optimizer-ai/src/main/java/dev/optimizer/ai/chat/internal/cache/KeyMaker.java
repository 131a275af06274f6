package dev.optimizer.ai.chat.internal.cache;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Builds the {@link ChatKey} of an effective request (parameters already merged with the model's
 * defaults), or says why the request must not be cached.
 *
 * <p>The canonical encoding is a sequence of tagged, length-prefixed UTF-8 fields fed straight into
 * SHA-256, so that no two different requests encode alike ("ab"+"c" vs "a"+"bc") and no large
 * intermediate string is built. It covers: the scope, the model's identity (provider and endpoint,
 * else instance: {@code ModelRef.cacheIdentity()}), every common parameter (model, temperature,
 * top_p, top_k, frequency and presence penalties, max output tokens, stop sequences, tool
 * specifications, tool choice, response format), every field of a provider-specific parameter class
 * (seed, logit bias, reasoning effort, previous response id, ... for OpenAI), and every message
 * with its type, name, text parts, tool calls and tool results. A field the encoding cannot see is
 * a field that could make two different requests share an answer, so anything that is not text
 * (images, audio, video, PDF, custom messages) makes the request uncacheable rather than being
 * skipped.
 *
 * <p>Provider parameters are read field by field, not from {@code toString()}: several LangChain4j
 * 1.19 classes ({@code OpenAiResponsesChatRequestParameters} among them) inherit the common {@code
 * toString()} and print none of their own fields, so two requests that differ only in {@code
 * previousResponseId} would print alike. A field whose value the encoding cannot render faithfully
 * (an object that neither is a plain value, map, collection or array nor prints itself), or a class
 * whose fields cannot be read, makes the request uncacheable ({@code opaque-parameters}).
 *
 * <p>Audited against LangChain4j 1.19: {@code ChatRequest} holds only messages and parameters; the
 * common parameters are the eleven above, and a tool specification, JSON schema element and
 * response format each print every field they have. What a model's builder sets and does not pass
 * through {@code defaultRequestParameters()} ({@code strictTools}, {@code strictJsonSchema}, {@code
 * returnThinking}, {@code sendThinking}, ... of the OpenAI models) is not in the request at all: it
 * reaches this key through the model's identity ({@code ModelRef.cacheIdentity()}, which carries
 * the digest of those settings).
 */
public final class KeyMaker {
  /**
   * Outcome: the key, or the reason there is none.
   *
   * @param key the key, or null
   * @param uncacheable a short reason code when there is no key ({@code too-large}, {@code
   *     non-text}, ...)
   * @param detail the reason in words for a person: what in the request (never its text) broke
   *     which rule, with the limit and the value; null when the code says it all
   */
  public record Result(ChatKey key, String uncacheable, String detail) {
    /** A result without detail. */
    public Result(ChatKey key, String uncacheable) {
      this(key, uncacheable, null);
    }

    /** The detail, else the reason code. */
    public String explain() {
      return detail != null ? detail : uncacheable;
    }
  }

  private final long maxPromptBytes;

  /** A key maker that refuses prompts over {@code maxPromptBytes} of UTF-8 text. */
  public KeyMaker(long maxPromptBytes) {
    this.maxPromptBytes = maxPromptBytes;
  }

  /** The key of {@code request} in {@code scope} for {@code provider}, or why not. */
  public Result key(String scope, String provider, ChatRequest request) {
    List<ChatMessage> messages = request.messages();
    if (messages == null || messages.isEmpty()) {
      return new Result(null, "empty", "request must have a message, but has none");
    }
    Encoder e = new Encoder();
    if (!parameters(e, scope, provider, request.parameters())) {
      return new Result(null, OPAQUE, e.refused);
    }
    e.field('M', String.valueOf(messages.size()));
    long promptBytes = 0;
    for (int i = 0; i < messages.size(); i++) {
      String reason = message(e, messages.get(i));
      if (reason != null) {
        return new Result(null, reason, "message " + (i + 1) + " " + e.refused);
      }
      promptBytes = e.textBytes;
      if (promptBytes > maxPromptBytes) {
        // Counting stops here: the rest of a huge prompt is not worth reading.
        return new Result(
            null,
            "too-large",
            "prompt text must be at most maxPromptBytes = "
                + maxPromptBytes
                + " bytes of UTF-8 (a setting in [1, 64 MiB]), but was at least "
                + promptBytes);
      }
    }
    if (promptBytes == 0) {
      return new Result(null, "empty", "request must have message text, but has none");
    }
    return new Result(
        new ChatKey(scope, provider, HexFormat.of().formatHex(e.digest.digest())), null);
  }

  /**
   * The context of a request's last user turn: the digest of everything but that turn (scope,
   * provider, every parameter, every earlier message), and the turn's text. The semantic tier
   * matches turns by meaning only within one context, so two requests share an entry only when they
   * differ in nothing but the wording of their last question.
   *
   * @param singleTurnOnly when true, only requests whose earlier messages are all system messages
   *     have a context
   * @return empty when the last message is not a user message of text alone, or when {@code
   *     singleTurnOnly} and there is an earlier turn
   */
  public Optional<TurnContext> lastTurn(
      String scope, String provider, ChatRequest request, boolean singleTurnOnly) {
    List<ChatMessage> messages = request.messages();
    if (messages == null || messages.isEmpty()) {
      return Optional.empty();
    }
    if (!(messages.get(messages.size() - 1) instanceof UserMessage last)
        || !last.hasSingleText()
        || last.singleText().isBlank()) {
      return Optional.empty();
    }
    List<ChatMessage> earlier = messages.subList(0, messages.size() - 1);
    if (singleTurnOnly && !earlier.stream().allMatch(m -> m instanceof SystemMessage)) {
      return Optional.empty();
    }
    Encoder e = new Encoder();
    e.field('L', "last-turn-context");
    if (!parameters(e, scope, provider, request.parameters())) {
      return Optional.empty();
    }
    e.field('M', String.valueOf(earlier.size()));
    for (ChatMessage m : earlier) {
      if (message(e, m) != null) {
        return Optional.empty();
      }
    }
    e.field('n', last.name());
    return Optional.of(
        new TurnContext(HexFormat.of().formatHex(e.digest.digest()), last.singleText()));
  }

  /**
   * A last user turn and its context.
   *
   * @param context hex SHA-256 of everything in the request but the last turn's text
   * @param text the last turn's text
   */
  public record TurnContext(String context, String text) {
    @Override
    public String toString() {
      return "TurnContext{" + context.substring(0, 12) + "…}"; // never the prompt
    }
  }

  /** Scope, provider and every output-changing parameter; false when some cannot be encoded. */
  private static boolean parameters(
      Encoder e, String scope, String provider, ChatRequestParameters p) {
    e.field('S', scope);
    e.field('P', provider);
    e.field('m', p.modelName());
    e.field('t', str(p.temperature()));
    e.field('p', str(p.topP()));
    e.field('k', str(p.topK()));
    e.field('f', str(p.frequencyPenalty()));
    e.field('r', str(p.presencePenalty()));
    e.field('x', str(p.maxOutputTokens()));
    List<String> stops = p.stopSequences();
    e.field('s', stops == null ? null : String.valueOf(stops.size()));
    if (stops != null) {
      stops.forEach(s -> e.field('.', s));
    }
    List<ToolSpecification> tools = p.toolSpecifications();
    e.field('T', tools == null ? null : String.valueOf(tools.size()));
    if (tools != null) {
      tools.forEach(t -> e.field('.', String.valueOf(t)));
    }
    e.field('c', str(p.toolChoice()));
    e.field('F', str(p.responseFormat()));
    if (p.getClass() != DefaultChatRequestParameters.class) {
      e.field('X', p.getClass().getName());
      return providerFields(e, p);
    }
    return true;
  }

  /** Why a request whose provider parameters cannot be read has no key. */
  static final String OPAQUE = "opaque-parameters";

  // Nesting deeper than this in a parameter value is not expected of any provider; refusing it
  // also stops a cycle.
  private static final int MAX_DEPTH = 16;

  /** The instance fields of a parameter class below the common ones, sorted; null if unreadable. */
  private static final ClassValue<List<Field>> FIELDS =
      new ClassValue<>() {
        @Override
        protected List<Field> computeValue(Class<?> type) {
          List<Field> all = new ArrayList<>();
          for (Class<?> c = type;
              c != null && c != DefaultChatRequestParameters.class && c != Object.class;
              c = c.getSuperclass()) {
            List<Field> own = new ArrayList<>();
            for (Field f : c.getDeclaredFields()) {
              if (Modifier.isStatic(f.getModifiers()) || f.isSynthetic()) {
                continue;
              }
              if (!f.trySetAccessible()) {
                return null;
              }
              own.add(f);
            }
            own.sort(Comparator.comparing(Field::getName));
            all.addAll(own);
          }
          return List.copyOf(all);
        }
      };

  /**
   * Encodes every field a provider's parameter class adds to the common ones, by name and value. A
   * custom {@code ChatRequestParameters} that does not extend the default class has its common
   * fields read through the interface above and its own fields here.
   */
  private static boolean providerFields(Encoder e, ChatRequestParameters p) {
    List<Field> fields = FIELDS.get(p.getClass());
    if (fields == null) {
      e.refused =
          "request parameters of class "
              + p.getClass().getName()
              + " have fields that cannot be read, so the cache key cannot cover them";
      return false;
    }
    e.field('#', String.valueOf(fields.size()));
    for (Field f : fields) {
      e.field('N', f.getDeclaringClass().getName() + "." + f.getName());
      Object v;
      try {
        v = f.get(p);
      } catch (IllegalAccessException ex) {
        e.refused = "request parameter " + fieldName(f) + " cannot be read";
        return false;
      }
      if (!value(e, v, 0)) {
        e.refused =
            "request parameter "
                + fieldName(f)
                + " must hold values the cache key can encode faithfully (plain values, maps,"
                + " collections, arrays, objects that print themselves), but holds a "
                + v.getClass().getName();
        return false;
      }
    }
    return true;
  }

  private static String fieldName(Field f) {
    return f.getDeclaringClass().getName() + "." + f.getName();
  }

  /**
   * Encodes one parameter value with its type: plain values as text, maps in key order, collections
   * in order (sets sorted), arrays element by element, and other objects by their own {@code
   * toString()} when their class declares one. False when the value cannot be encoded faithfully:
   * such a value could hide a difference between two requests.
   */
  private static boolean value(Encoder e, Object v, int depth) {
    if (depth > MAX_DEPTH) {
      return false;
    }
    if (v == null) {
      e.field('0', null);
      return true;
    }
    if (v instanceof CharSequence
        || v instanceof Number
        || v instanceof Boolean
        || v instanceof Character
        || v instanceof Enum<?>
        || v instanceof java.util.UUID
        || v instanceof java.time.temporal.TemporalAccessor
        || v instanceof java.time.temporal.TemporalAmount) {
      e.field('v', v.getClass().getName());
      e.field('.', v.toString());
      return true;
    }
    if (v instanceof Optional<?> o) {
      e.field('o', o.isPresent() ? "1" : "0");
      return o.isEmpty() || value(e, o.get(), depth + 1);
    }
    if (v instanceof Map<?, ?> m) {
      // Map order is an accident of the map's class and history: sort the entries by their
      // encoding so that equal maps encode alike.
      List<byte[][]> entries = new ArrayList<>();
      for (Map.Entry<?, ?> en : m.entrySet()) {
        Encoder k = new Encoder();
        Encoder val = new Encoder();
        if (!value(k, en.getKey(), depth + 1) || !value(val, en.getValue(), depth + 1)) {
          return false;
        }
        entries.add(new byte[][] {k.digest.digest(), val.digest.digest()});
      }
      entries.sort((a, b) -> Arrays.compare(a[0], b[0]));
      e.field('{', String.valueOf(entries.size()));
      for (byte[][] en : entries) {
        e.bytes(en[0]);
        e.bytes(en[1]);
      }
      return true;
    }
    if (v instanceof Set<?> s && !(v instanceof java.util.SortedSet<?>)) {
      List<byte[]> items = new ArrayList<>();
      for (Object o : s) {
        Encoder item = new Encoder();
        if (!value(item, o, depth + 1)) {
          return false;
        }
        items.add(item.digest.digest());
      }
      items.sort(Arrays::compare);
      e.field('(', String.valueOf(items.size()));
      items.forEach(e::bytes);
      return true;
    }
    if (v instanceof Iterable<?> it) {
      List<Object> items = new ArrayList<>();
      it.forEach(items::add);
      e.field('[', String.valueOf(items.size()));
      for (Object o : items) {
        if (!value(e, o, depth + 1)) {
          return false;
        }
      }
      return true;
    }
    if (v.getClass().isArray()) {
      int n = Array.getLength(v);
      e.field('[', String.valueOf(n));
      for (int i = 0; i < n; i++) {
        if (!value(e, Array.get(v, i), depth + 1)) {
          return false;
        }
      }
      return true;
    }
    if (!declaresToString(v.getClass())) {
      return false;
    }
    e.field('v', v.getClass().getName());
    e.field('.', v.toString());
    return true;
  }

  /** Whether a class prints itself, not only its identity. */
  private static boolean declaresToString(Class<?> c) {
    try {
      return c.getMethod("toString").getDeclaringClass() != Object.class;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }

  private static String message(Encoder e, ChatMessage m) {
    if (m instanceof SystemMessage s) {
      e.field('y', "system");
      e.text(s.text());
    } else if (m instanceof UserMessage u) {
      e.field('y', "user");
      e.field('n', u.name());
      e.field('#', String.valueOf(u.contents().size()));
      for (Content c : u.contents()) {
        if (!(c instanceof TextContent t)) {
          return nonText(e, m, c);
        }
        e.text(t.text());
      }
    } else if (m instanceof AiMessage a) {
      e.field('y', "ai");
      e.text(a.text());
      e.field('h', a.thinking());
      List<ToolExecutionRequest> calls =
          a.hasToolExecutionRequests() ? a.toolExecutionRequests() : List.of();
      e.field('#', String.valueOf(calls.size()));
      for (ToolExecutionRequest call : calls) {
        e.field('i', call.id());
        e.field('n', call.name());
        e.text(call.arguments());
      }
      e.field('a', a.attributes().isEmpty() ? null : a.attributes().toString());
    } else if (m instanceof ToolExecutionResultMessage r) {
      e.field('y', "tool");
      e.field('i', r.id());
      e.field('n', r.toolName());
      e.field('e', str(r.isError()));
      e.field('#', String.valueOf(r.contents().size()));
      for (Content c : r.contents()) {
        if (!(c instanceof TextContent t)) {
          return nonText(e, m, c);
        }
        e.text(t.text());
      }
    } else {
      e.refused =
          "must be a system, user, AI or tool result message, but was a " + m.getClass().getName();
      return "unsupported-message";
    }
    return null;
  }

  private static String nonText(Encoder e, ChatMessage m, Content c) {
    e.refused =
        "("
            + m.getClass().getSimpleName()
            + ") must hold text only to be cached, but holds "
            + c.getClass().getSimpleName();
    return "non-text";
  }

  private static String str(Object o) {
    return o == null ? null : o.toString();
  }

  private static final class Encoder {
    final MessageDigest digest;
    long textBytes;
    String refused; // why encoding stopped, for a person

    Encoder() {
      try {
        digest = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-256 is required of every JVM", e);
      }
    }

    void bytes(byte[] b) {
      digest.update(b);
    }

    void text(String s) {
      textBytes += field('"', s);
    }

    /** Feeds one field; returns its length in UTF-8 bytes. */
    int field(char tag, String value) {
      digest.update((byte) tag);
      if (value == null) {
        digest.update(new byte[] {-1, -1, -1, -1});
        return 0;
      }
      byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
      int n = bytes.length;
      digest.update(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
      digest.update(bytes);
      return n;
    }
  }
}
