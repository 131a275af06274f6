package dev.optimizer.ai.testserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** The JSON shapes of the OpenAI wire protocol that {@link LocalOpenAiServer} speaks. */
final class OpenAiWire {
  static final ObjectMapper JSON = new ObjectMapper();

  private OpenAiWire() {}

  static ObjectNode embeddings(JsonNode body) {
    JsonNode input = body.path("input");
    List<String> texts = new ArrayList<>();
    if (input.isArray()) {
      input.forEach(n -> texts.add(n.asText()));
    } else {
      texts.add(input.asText());
    }
    ObjectNode response = JSON.createObjectNode();
    response.put("object", "list");
    ArrayNode data = response.putArray("data");
    int tokens = 0;
    for (int i = 0; i < texts.size(); i++) {
      ObjectNode item = data.addObject();
      item.put("object", "embedding");
      item.put("index", i);
      ArrayNode vector = item.putArray("embedding");
      byte[] h = digest(texts.get(i));
      for (int d = 0; d < 8; d++) {
        vector.add((h[d] & 0xff) / 255.0);
      }
      tokens += LocalOpenAiServer.words(texts.get(i));
    }
    response.put("model", body.path("model").asText("unknown"));
    ObjectNode usage = response.putObject("usage");
    usage.put("prompt_tokens", tokens);
    usage.put("total_tokens", tokens);
    return response;
  }

  static ArrayNode toolCalls(String toolName, boolean complete) {
    ArrayNode calls = JSON.createArrayNode();
    ObjectNode call = calls.addObject();
    if (!complete) {
      call.put("index", 0);
    }
    call.put("id", "call_1");
    call.put("type", "function");
    ObjectNode function = call.putObject("function");
    function.put("name", toolName);
    function.put("arguments", "{}");
    return calls;
  }

  static ObjectNode chunk(String model, ObjectNode delta, String finish) {
    ObjectNode chunk = envelope(model, "chat.completion.chunk");
    ObjectNode choice = chunk.putArray("choices").addObject();
    choice.put("index", 0);
    choice.set("delta", delta);
    if (finish == null) {
      choice.putNull("finish_reason");
    } else {
      choice.put("finish_reason", finish);
    }
    return chunk;
  }

  static ObjectNode envelope(String model, String object) {
    ObjectNode o = JSON.createObjectNode();
    o.put("id", "chatcmpl-local");
    o.put("object", object);
    o.put("created", 1_700_000_000L);
    o.put("model", model);
    return o;
  }

  static ObjectNode error(String message) {
    ObjectNode o = JSON.createObjectNode();
    ObjectNode e = o.putObject("error");
    e.put("message", message);
    e.put("type", "server_error");
    return o;
  }

  static String lastUserText(JsonNode body) {
    String last = "";
    for (JsonNode m : body.path("messages")) {
      if ("user".equals(m.path("role").asText())) {
        last = text(m.path("content"));
      }
    }
    return last;
  }

  static String text(JsonNode content) {
    if (content.isTextual()) {
      return content.asText();
    }
    StringBuilder sb = new StringBuilder();
    for (JsonNode part : content) {
      if ("text".equals(part.path("type").asText())) {
        sb.append(part.path("text").asText());
      }
    }
    return sb.toString();
  }

  static String sha256(String s) {
    return HexFormat.of().formatHex(digest(s));
  }

  static byte[] digest(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
