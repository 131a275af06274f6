package dev.optimizer.ai.testserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * A local OpenAI-compatible server on a real loopback socket (Netty), for driving LangChain4j's
 * real OpenAI client where a hosted model cannot be reached. It speaks the wire protocol of {@code
 * POST /v1/chat/completions} (plain JSON, and server-sent events when {@code "stream": true}, with
 * the usage in a last chunk when {@code stream_options.include_usage}) and {@code POST
 * /v1/embeddings}.
 *
 * <p>Answers are deterministic per model and prompt ({@link #answerFor}); usage counts are words
 * (prompt: every message's words plus one per message; completion: the answer's words). A request
 * whose {@code max_tokens} is below the answer's length gets the answer cut to that many words and
 * {@code finish_reason: "length"}. A request that offers tools and whose last user message contains
 * {@value #CALL_TOOL} gets a tool call of the first tool, {@code finish_reason: "tool_calls"}.
 *
 * <p>Faults are scripted in the style of OkHttp's MockWebServer: {@link #enqueue(Fault)} queues one
 * per chat request (a status with an optional {@code Retry-After}, or a stream cut short), {@link
 * #enqueueEmbeddingFault(Fault)} one per embedding request; {@link #latency(Duration)} delays every
 * answer; {@link #holdStreams()} stops every stream after its first chunk until {@link
 * #releaseStreams()}; {@link #holdEmbeddings()} holds every embedding answer until {@link
 * #releaseEmbeddings()}. An embedding request with an input containing {@value #REJECTED_INPUT} is
 * refused as a whole with 400, as OpenAI refuses a request with one input too long. Thread-safe.
 */
public final class LocalOpenAiServer implements AutoCloseable {

  /** A prompt containing this, in a request that offers tools, is answered with a tool call. */
  public static final String CALL_TOOL = "[call-tool]";

  /** An embedding input containing this makes its whole request fail with 400. */
  public static final String REJECTED_INPUT = "[rejected]";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A scripted outcome for one chat request. */
  public record Fault(int status, String retryAfter, boolean cut) {
    /** Answers with {@code status} and a JSON error body. */
    public static Fault status(int status) {
      return new Fault(status, null, false);
    }

    /** Answers 429 with a {@code Retry-After} header (delay-seconds or an HTTP-date). */
    public static Fault rateLimited(String retryAfter) {
      return new Fault(429, retryAfter, false);
    }

    /** Starts a stream, sends one chunk, then closes the connection without finishing it. */
    public static Fault cutStream() {
      return new Fault(200, null, true);
    }
  }

  /** A chat or embedding request as received. */
  public record Recorded(String path, JsonNode body) {
    /** The text of the last user message, or "" when there is none. */
    public String lastUserText() {
      return OpenAiWire.lastUserText(body);
    }
  }

  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  private final Channel channel;
  private final ConcurrentLinkedQueue<Fault> faults = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<Fault> embeddingFaults = new ConcurrentLinkedQueue<>();
  private final AtomicReference<CompletableFuture<Void>> embeddingGate = new AtomicReference<>();
  private final BlockingQueue<Recorded> requests = new LinkedBlockingQueue<>();
  private final AtomicInteger chatRequests = new AtomicInteger();
  private final AtomicInteger embeddingRequests = new AtomicInteger();
  private final AtomicReference<CompletableFuture<Void>> streamGate = new AtomicReference<>();
  private volatile long latencyMillis;
  private volatile long chunkDelayMillis;
  private volatile Function<String, String> answerer;
  private volatile Function<String, String> reasoner;

  private LocalOpenAiServer() throws InterruptedException {
    ServerBootstrap b =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(new HttpServerCodec())
                        .addLast(new HttpObjectAggregator(16 << 20))
                        .addLast(new Handler());
                  }
                });
    this.channel = b.bind("127.0.0.1", 0).sync().channel();
  }

  /** Starts a server on an ephemeral loopback port. */
  public static LocalOpenAiServer start() {
    try {
      return new LocalOpenAiServer();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while binding", e);
    }
  }

  /** The base URL for an OpenAI client, e.g. {@code http://127.0.0.1:PORT/v1}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + ((InetSocketAddress) channel.localAddress()).getPort() + "/v1";
  }

  /** Delays every answer (the first chunk of a stream) by {@code latency}. */
  public LocalOpenAiServer latency(Duration latency) {
    this.latencyMillis = latency.toMillis();
    return this;
  }

  /** Delays every stream chunk after the first by {@code delay}. */
  public LocalOpenAiServer chunkDelay(Duration delay) {
    this.chunkDelayMillis = delay.toMillis();
    return this;
  }

  /** Replaces the answer function (last user text to answer); null restores the default. */
  public LocalOpenAiServer answerer(Function<String, String> answerer) {
    this.answerer = answerer;
    return this;
  }

  /**
   * Makes the server a reasoning model: every answer (text or tool call) comes after the reasoning
   * this function gives for the last user text, as {@code reasoning_content} (streamed word by word
   * before the answer); null turns it off.
   */
  public LocalOpenAiServer reasoner(Function<String, String> reasoner) {
    this.reasoner = reasoner;
    return this;
  }

  /** Queues a fault for the next chat request that finds the queue non-empty. */
  public LocalOpenAiServer enqueue(Fault fault) {
    faults.add(fault);
    return this;
  }

  /**
   * Queues a fault (a status, with an optional {@code Retry-After}) for the next embedding request
   * that finds the queue non-empty.
   */
  public LocalOpenAiServer enqueueEmbeddingFault(Fault fault) {
    if (fault.cut()) {
      throw new IllegalArgumentException("an embedding answer is not a stream to cut");
    }
    embeddingFaults.add(fault);
    return this;
  }

  /**
   * From now on, embedding answers (faults included) wait until {@link #releaseEmbeddings()}; the
   * requests are received and recorded at once.
   */
  public void holdEmbeddings() {
    embeddingGate.set(new CompletableFuture<>());
  }

  /** Sends the held embedding answers, and later ones at once. */
  public void releaseEmbeddings() {
    CompletableFuture<Void> gate = embeddingGate.getAndSet(null);
    if (gate != null) {
      gate.complete(null);
    }
  }

  /** From now on, streams stop after their first chunk until {@link #releaseStreams()}. */
  public void holdStreams() {
    streamGate.set(new CompletableFuture<>());
  }

  /** Lets held streams (and later ones) run to the end. */
  public void releaseStreams() {
    CompletableFuture<Void> gate = streamGate.getAndSet(null);
    if (gate != null) {
      gate.complete(null);
    }
  }

  /** Chat completion requests received so far (faults included). */
  public int chatRequests() {
    return chatRequests.get();
  }

  /** Embedding requests received so far. */
  public int embeddingRequests() {
    return embeddingRequests.get();
  }

  /** The next request received, waiting up to 10 s for it. */
  public Recorded takeRequest() throws InterruptedException {
    Recorded r = requests.poll(10, TimeUnit.SECONDS);
    if (r == null) {
      throw new AssertionError("no request arrived within 10 s");
    }
    return r;
  }

  /** The deterministic answer the server gives for {@code prompt} on {@code model}. */
  public String answerFor(String model, String prompt) {
    Function<String, String> a = answerer;
    if (a != null) {
      return a.apply(prompt);
    }
    return "Answer " + OpenAiWire.sha256(model + "\n" + prompt).substring(0, 8) + " to: " + prompt;
  }

  /** Words in {@code text}: the token count this server reports. */
  public static int words(String text) {
    String t = text.strip();
    return t.isEmpty() ? 0 : t.split("\\s+").length;
  }

  @Override
  public void close() {
    releaseStreams();
    releaseEmbeddings();
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      // A client's custom query parameters (an api-version, say) do not change the route.
      String path = req.uri().split("\\?", 2)[0];
      JsonNode body;
      try {
        body = JSON.readTree(req.content().toString(StandardCharsets.UTF_8));
      } catch (Exception e) {
        sendJson(
            ctx,
            HttpResponseStatus.BAD_REQUEST,
            OpenAiWire.error("invalid JSON: " + e.getMessage()),
            null);
        return;
      }
      // Taken before the request is recorded: a test that saw this request (takeRequest) and then
      // queues a fault means it for the next one.
      Fault embeddingFault = path.endsWith("/embeddings") ? embeddingFaults.poll() : null;
      requests.add(new Recorded(path, body));
      if (path.endsWith("/chat/completions")) {
        chatRequests.incrementAndGet();
        Fault fault = faults.poll();
        after(ctx, latencyMillis, () -> chat(ctx, body, fault));
      } else if (path.endsWith("/embeddings")) {
        embeddingRequests.incrementAndGet();
        Runnable answer =
            () -> after(ctx, latencyMillis, () -> embeddings(ctx, body, embeddingFault));
        CompletableFuture<Void> gate = embeddingGate.get();
        if (gate != null) {
          gate.thenRun(() -> ctx.executor().execute(answer));
        } else {
          answer.run();
        }
      } else {
        sendJson(ctx, HttpResponseStatus.NOT_FOUND, OpenAiWire.error("no route " + path), null);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  private static void after(ChannelHandlerContext ctx, long millis, Runnable r) {
    if (millis > 0) {
      ctx.executor().schedule(r, millis, TimeUnit.MILLISECONDS);
    } else {
      r.run();
    }
  }

  private static void embeddings(ChannelHandlerContext ctx, JsonNode body, Fault fault) {
    if (fault != null) {
      sendJson(
          ctx,
          HttpResponseStatus.valueOf(fault.status()),
          OpenAiWire.error("scripted failure " + fault.status()),
          fault.retryAfter());
      return;
    }
    List<JsonNode> inputs = new ArrayList<>();
    if (body.path("input").isArray()) {
      body.path("input").forEach(inputs::add);
    } else {
      inputs.add(body.path("input"));
    }
    for (int i = 0; i < inputs.size(); i++) {
      if (inputs.get(i).asText().contains(REJECTED_INPUT)) {
        ObjectNode error = OpenAiWire.error("'$.input' is invalid: input " + i + " is rejected");
        ((ObjectNode) error.get("error")).put("type", "invalid_request_error");
        sendJson(ctx, HttpResponseStatus.BAD_REQUEST, error, null);
        return;
      }
    }
    sendJson(ctx, HttpResponseStatus.OK, OpenAiWire.embeddings(body), null);
  }

  private void chat(ChannelHandlerContext ctx, JsonNode body, Fault fault) {
    if (fault != null && !fault.cut()) {
      sendJson(
          ctx,
          HttpResponseStatus.valueOf(fault.status()),
          OpenAiWire.error(
              fault.status() == 429
                      && fault.retryAfter() != null
                      && fault.retryAfter().chars().allMatch(Character::isDigit)
                  // As OpenAI does: the wait is in the body too, the only part LangChain4j keeps.
                  ? "Rate limit reached. Please try again in " + fault.retryAfter() + "s."
                  : "scripted failure " + fault.status()),
          fault.retryAfter());
      return;
    }
    String model = body.path("model").asText("unknown");
    String prompt = OpenAiWire.lastUserText(body);
    int promptTokens = 0;
    for (JsonNode m : body.path("messages")) {
      promptTokens += 1 + words(OpenAiWire.text(m.path("content")));
    }
    boolean toolCall = body.path("tools").size() > 0 && prompt.contains(CALL_TOOL);
    String answer = answerFor(model, prompt);
    String finish = "stop";
    int maxTokens = body.path("max_tokens").asInt(body.path("max_completion_tokens").asInt(0));
    String[] answerWords = answer.split(" ");
    if (maxTokens > 0 && answerWords.length > maxTokens) {
      answer = String.join(" ", List.of(answerWords).subList(0, maxTokens));
      finish = "length";
    }
    if (toolCall) {
      answer = null;
      finish = "tool_calls";
    }
    int completionTokens = answer == null ? 1 : words(answer);
    ObjectNode usage = JSON.createObjectNode();
    usage.put("prompt_tokens", promptTokens);
    usage.put("completion_tokens", completionTokens);
    usage.put("total_tokens", promptTokens + completionTokens);
    String toolName =
        toolCall ? body.path("tools").get(0).path("function").path("name").asText() : null;
    Function<String, String> r = reasoner;
    String reasoning = r == null ? null : r.apply(prompt);
    if (body.path("stream").asBoolean(false)) {
      boolean includeUsage = body.path("stream_options").path("include_usage").asBoolean(false);
      stream(
          ctx,
          model,
          reasoning,
          answer,
          toolName,
          finish,
          includeUsage ? usage : null,
          fault != null);
      return;
    }
    ObjectNode message = JSON.createObjectNode();
    message.put("role", "assistant");
    if (reasoning != null) {
      message.put("reasoning_content", reasoning);
    }
    if (answer != null) {
      message.put("content", answer);
    } else {
      message.putNull("content");
      message.set("tool_calls", OpenAiWire.toolCalls(toolName, true));
    }
    ObjectNode choice = JSON.createObjectNode();
    choice.put("index", 0);
    choice.set("message", message);
    choice.put("finish_reason", finish);
    ObjectNode response = OpenAiWire.envelope(model, "chat.completion");
    response.putArray("choices").add(choice);
    response.set("usage", usage);
    sendJson(ctx, HttpResponseStatus.OK, response, null);
  }

  private void stream(
      ChannelHandlerContext ctx,
      String model,
      String reasoning,
      String answer,
      String toolName,
      String finish,
      ObjectNode usage,
      boolean cut) {
    DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream");
    head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    head.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
    ctx.write(head);
    List<String> events = new ArrayList<>();
    if (reasoning != null) {
      String[] parts = reasoning.split(" ");
      for (int i = 0; i < parts.length; i++) {
        ObjectNode delta = JSON.createObjectNode();
        if (i == 0) {
          delta.put("role", "assistant");
        }
        delta.put("reasoning_content", i == 0 ? parts[i] : " " + parts[i]);
        events.add(OpenAiWire.chunk(model, delta, null).toString());
      }
    }
    if (answer != null) {
      String[] parts = answer.split(" ");
      for (int i = 0; i < parts.length; i++) {
        ObjectNode delta = JSON.createObjectNode();
        if (i == 0) {
          delta.put("role", "assistant");
        }
        delta.put("content", i == 0 ? parts[i] : " " + parts[i]);
        events.add(OpenAiWire.chunk(model, delta, null).toString());
      }
    } else {
      ObjectNode delta = JSON.createObjectNode();
      delta.put("role", "assistant");
      delta.set("tool_calls", OpenAiWire.toolCalls(toolName, false));
      events.add(OpenAiWire.chunk(model, delta, null).toString());
    }
    events.add(OpenAiWire.chunk(model, JSON.createObjectNode(), finish).toString());
    if (usage != null) {
      ObjectNode last = OpenAiWire.envelope(model, "chat.completion.chunk");
      last.putArray("choices");
      last.set("usage", usage);
      events.add(last.toString());
    }
    events.add("[DONE]");
    sendEvents(ctx, events, 0, cut, streamGate.get());
  }

  private void sendEvents(
      ChannelHandlerContext ctx,
      List<String> events,
      int i,
      boolean cut,
      CompletableFuture<Void> gate) {
    if (i == events.size()) {
      ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
      return;
    }
    byte[] bytes = ("data: " + events.get(i) + "\n\n").getBytes(StandardCharsets.UTF_8);
    ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(bytes)));
    if (cut) {
      ctx.close();
      return;
    }
    Runnable next =
        () -> after(ctx, chunkDelayMillis, () -> sendEvents(ctx, events, i + 1, false, null));
    if (i == 0 && gate != null) {
      gate.thenRun(() -> ctx.executor().execute(next));
    } else {
      next.run();
    }
  }

  private static void sendJson(
      ChannelHandlerContext ctx, HttpResponseStatus status, JsonNode body, String retryAfter) {
    byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
    DefaultFullHttpResponse res =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
    res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
    if (retryAfter != null) {
      res.headers().set(HttpHeaderNames.RETRY_AFTER, retryAfter);
    }
    ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
  }
}
