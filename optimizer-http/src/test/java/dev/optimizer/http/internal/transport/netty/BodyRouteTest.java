package dev.optimizer.http.internal.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.optimizer.http.internal.HttpCall;
import dev.optimizer.http.internal.Reply;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The choice between buffering a response and handing it on, and the reading of a body handed on,
 * on a channel whose every read is counted: the channel is read only while the caller's demand is
 * not met, so a body nobody asks for stays in the socket (or the HTTP/2 window). Complements {@code
 * NettyStreamingTest}, which runs the same code against real servers but cannot show that a read
 * did not happen.
 */
class BodyRouteTest {
  private static final int MAX = 1024;

  private final AtomicInteger reads = new AtomicInteger();
  private final List<Boolean> released = new ArrayList<>();
  private final CompletableFuture<Reply> result = new CompletableFuture<>();
  private final List<String> received = new ArrayList<>();
  private Flow.Subscription subscription;
  private EmbeddedChannel channel;

  @BeforeEach
  void channel() {
    channel = new EmbeddedChannel();
    channel
        .pipeline()
        .addLast(
            new ChannelOutboundHandlerAdapter() {
              @Override
              public void read(ChannelHandlerContext ctx) {
                reads.incrementAndGet();
                ctx.read();
              }
            });
    ResponseHandlers.addLast(channel.pipeline(), MAX);
    HttpCall call =
        new HttpCall(
            "GET",
            URI.create("http://localhost/x"),
            HttpHeaders.of(Map.of(), (a, b) -> true),
            false,
            null,
            Long.MAX_VALUE,
            Map.of(),
            "");
    Exchange exchange =
        new Exchange(
            call,
            result,
            (ch, reusable) -> released.add(reusable),
            channel,
            HttpClient.Version.HTTP_1_1,
            true,
            0,
            Clock.systemUTC(),
            Runnable::run);
    channel.attr(Exchange.KEY).set(exchange);
  }

  private static DefaultHttpResponse head(String contentType) {
    DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    if (contentType != null) {
      head.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
    }
    head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, "chunked");
    return head;
  }

  /** One read from the socket: these messages, then the end of the read. */
  private void read(Object... messages) {
    for (Object m : messages) {
      channel.pipeline().fireChannelRead(m);
    }
    channel.pipeline().fireChannelReadComplete();
  }

  private static DefaultHttpContent chunk(String text) {
    return new DefaultHttpContent(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
  }

  /** The caller asks for more: what is held back is handed on in a task of the event loop's. */
  private void request(long n) {
    subscription.request(n);
    channel.runPendingTasks();
  }

  @SuppressWarnings("unchecked")
  private void subscribe() {
    Reply reply = result.getNow(null);
    assertThat(reply).isNotNull();
    assertThat(reply.isUnread()).isTrue();
    ((Flow.Publisher<List<ByteBuffer>>) reply.unread().body())
        .subscribe(
            new Flow.Subscriber<>() {
              @Override
              public void onSubscribe(Flow.Subscription s) {
                subscription = s;
              }

              @Override
              public void onNext(List<ByteBuffer> item) {
                StringBuilder text = new StringBuilder();
                item.forEach(b -> text.append(StandardCharsets.UTF_8.decode(b)));
                received.add(text.toString());
              }

              @Override
              public void onError(Throwable t) {
                received.add("error: " + t.getMessage());
              }

              @Override
              public void onComplete() {
                received.add("complete");
              }
            });
  }

  @Test
  void aStreamIsReadOnlyAsTheCallerAsks() {
    read(head("text/event-stream"), chunk("data: 1\n\n"));
    assertThat(channel.config().isAutoRead()).isFalse();
    int readsAtHead = reads.get();
    subscribe();

    // Arrived with the head, held until asked for; nothing more is read meanwhile.
    assertThat(received).isEmpty();
    request(1);
    assertThat(received).containsExactly("data: 1\n\n");
    assertThat(reads.get()).isEqualTo(readsAtHead);

    // Asked for more than has arrived: one read, and no other until something arrives.
    request(1);
    assertThat(reads.get()).isEqualTo(readsAtHead + 1);
    read(); // a read that decoded nothing (part of a chunk): read again, the demand is open
    assertThat(reads.get()).isGreaterThan(readsAtHead + 1); // (the gzip decoder may ask too)
    int readsBefore = reads.get();
    read(chunk("data: 2\n\n"), chunk("data: 3\n\n"));
    assertThat(received).containsExactly("data: 1\n\n", "data: 2\n\n");
    assertThat(reads.get()).as("demand met: no read").isEqualTo(readsBefore);

    request(1);
    assertThat(received).containsExactly("data: 1\n\n", "data: 2\n\n", "data: 3\n\n");
    assertThat(released).isEmpty();
    request(1);
    read(LastHttpContent.EMPTY_LAST_CONTENT);
    assertThat(received).endsWith("complete");
    assertThat(released).as("read to its end: back to the pool").containsExactly(true);
    assertThat(channel.config().isAutoRead()).isTrue();
    assertThat(channel.attr(Exchange.KEY).get()).isNull();
  }

  @Test
  void whatACompressedBodyDecodesToIsProducedOnlyAsTheCallerAsks() throws java.io.IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream z = new java.util.zip.GZIPOutputStream(out)) {
      z.write(new byte[8 << 20]); // 8 MiB of zeros, about 8 KiB on the wire: a compression bomb
    }
    byte[] wire = out.toByteArray();
    DefaultHttpResponse head = head("text/event-stream");
    head.headers().set(HttpHeaderNames.CONTENT_ENCODING, "gzip");
    List<Object> messages = new ArrayList<>(List.of(head));
    for (int i = 0; i < wire.length; i += 1024) {
      messages.add(
          new DefaultHttpContent(Unpooled.copiedBuffer(wire, i, Math.min(1024, wire.length - i))));
    }
    messages.add(LastHttpContent.EMPTY_LAST_CONTENT);
    read(messages.toArray()); // all of it in one read from the connection
    int readsAtHead = reads.get();
    subscribe();

    // One read's worth of pieces decodes to a thousand times its size: each is decoded only once
    // the caller took what the one before decoded to; the others wait as they came, undecoded.
    request(1);
    assertThat(received).hasSize(1);
    for (int asked = 1; !received.get(received.size() - 1).equals("complete"); asked++) {
      assertThat(received).as("one item per request").hasSize(asked);
      assertThat(received.get(asked - 1).length()).as("one piece decoded").isBetween(1, 2 << 20);
      if (released.isEmpty()) { // (once its end is read, the connection reads for the pool)
        assertThat(reads.get())
            .as("all of it had been read: fed, not read again")
            .isEqualTo(readsAtHead);
      }
      request(1);
    }
    assertThat(received.stream().filter(r -> !r.equals("complete")).mapToLong(String::length).sum())
        .isEqualTo(8 << 20);
    assertThat(released).as("read to its end: back to the pool").containsExactly(true);
  }

  @Test
  void piecesHeldBackWhenTheConnectionClosesStillEndTheBodyAtTheCallersPace() {
    // A server that closes the connection after the last piece (an HTTP/2 stream's channel closes
    // once its last frame is read): the close waits behind the pieces, which outlive the pipeline.
    read(head("text/event-stream"), chunk("a"), chunk("b"), new DefaultLastHttpContent());
    channel.close();
    subscribe();

    request(1);
    assertThat(received).containsExactly("a");
    request(1);
    assertThat(received).containsExactly("a", "b", "complete");
    assertThat(released).as("the connection is gone: not reusable").containsExactly(false);
  }

  @Test
  void aConnectionClosedBehindPiecesThatDoNotEndTheBodyFailsItAfterThem() {
    read(head("text/event-stream"), chunk("a"), chunk("b"));
    channel.close();
    subscribe();

    request(5);
    assertThat(received)
        .containsExactly("a", "b", "error: connection closed before the response was complete");
    assertThat(released).containsExactly(false);
  }

  @Test
  void cancellingABodyWhoseConnectionClosedReleasesWhatWasHeld() {
    read(head("text/event-stream"), chunk("a"), chunk("b"));
    channel.close();
    subscribe();
    request(1);
    subscription.cancel();
    channel.runPendingTasks();

    assertThat(received).containsExactly("a");
    assertThat(HeldBytes.now()).as("nothing held for it any more").isZero();
  }

  @Test
  void cancellingMidBodyClosesTheConnectionAndDropsWhatFollows() {
    read(head("application/x-ndjson"), chunk("{}\n"));
    subscribe();
    request(1);
    subscription.cancel();
    assertThat(released).as("not reusable mid-body").containsExactly(false);

    read(chunk("{}\n"), new DefaultLastHttpContent());
    assertThat(received).containsExactly("{}\n");
    assertThat(released).containsExactly(false);
  }

  @Test
  void aFailureMidBodyReachesTheCaller() {
    read(head("text/event-stream"));
    subscribe();
    request(1);
    channel.pipeline().fireExceptionCaught(new java.io.IOException("connection reset"));
    assertThat(received).containsExactly("error: connection reset");
    assertThat(released).containsExactly(false);
  }

  @Test
  void aChunkedBodyWithinTheCapIsBufferedWhole() {
    read(head("application/json"), chunk("{\"a\":"), chunk("1}"), new DefaultLastHttpContent());

    Reply reply = result.getNow(null);
    assertThat(reply.isUnread()).isFalse();
    assertThat(new String(reply.body(), StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}");
    assertThat(reply.headers().firstValueAsLong("content-length")).hasValue(7);
    assertThat(reply.headers().firstValue("transfer-encoding")).isEmpty();
    assertThat(released).containsExactly(true);
    assertThat(channel.config().isAutoRead()).isTrue();
  }

  @Test
  void aChunkedBodyOutgrowingTheCapIsHandedOnWithTheBytesReadSoFar() {
    String first = "a".repeat(MAX - 10);
    String second = "b".repeat(20);
    read(head(null), chunk(first));
    assertThat(result).isNotDone();
    assertThat(channel.config().isAutoRead()).as("buffering: read at full speed").isTrue();

    read(chunk(second));
    subscribe();
    assertThat(channel.config().isAutoRead()).isFalse();
    request(2);
    assertThat(received).containsExactly(first, second);
    request(1);
    read(chunk("c"), new DefaultLastHttpContent());
    assertThat(received).containsExactly(first, second, "c", "complete");
    assertThat(released).containsExactly(true);
  }

  @Test
  void aDeclaredLengthOverTheCapIsHandedOnFromItsHead() {
    DefaultHttpResponse big = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    big.headers().set(HttpHeaderNames.CONTENT_LENGTH, MAX + 1);
    read(big);
    assertThat(result.getNow(null).isUnread()).isTrue();
  }
}
