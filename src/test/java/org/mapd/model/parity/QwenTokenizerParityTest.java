package org.mapd.model.parity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mapd.data.Turn;
import org.mapd.model.ChatTemplate;
import org.mapd.model.TextTokenizer;
import org.mapd.model.TokenizedExample;

/**
 * The real Qwen tokenizer.json (Qwen3's, same BPE and specials as Qwen2.5) through DJL's tokenizers and ChatTemplate,
 * against ids written by an independent implementation (@lenml/tokenizers, a JS port of HF tokenizers).
 */
class QwenTokenizerParityTest {
  static TextTokenizer tokenizer;
  static JsonNode cases;

  @BeforeAll
  static void load() throws IOException {
    Path dir = Fixtures.dir("qwen3-tokenizer");
    tokenizer = TextTokenizer.load(Fixtures.QWEN_TOKENIZER);
    cases = new ObjectMapper().readTree(dir.resolve("chat_template_ids.json").toFile());
  }

  @AfterAll
  static void close() { tokenizer.close(); }

  @Test
  void specialTokensHaveMethodMdIds() {
    cases.get("specials").fields().forEachRemaining(e -> {
      if (e.getKey().equals("\n")) {
        assertArrayEquals(new int[] {e.getValue().asInt()}, tokenizer.encode("\n"));
      } else {
        assertEquals(e.getValue().asInt(), tokenizer.id(e.getKey()), e.getKey());
        assertArrayEquals(new int[] {e.getValue().asInt()}, tokenizer.encode(e.getKey()), e.getKey() + " encodes as one token");
      }
    });
    ChatTemplate template = new ChatTemplate(tokenizer, false, 256);
    assertArrayEquals(new int[] {151645, 151643}, template.endIds());
    assertEquals(151643, template.padId(false));
  }

  @Test
  void inferencePromptsMatch() {
    ChatTemplate template = new ChatTemplate(tokenizer, false, 256);
    for (JsonNode p : cases.get("prompts")) {
      int[] ids = ints(p.get("ids"));
      assertArrayEquals(ids, template.prompt(p.get("user").asText()), p.get("user").asText());
      // Answers are read back with decode: byte-level BPE must give the exact text (emoji, CJK, tabs, blank lines).
      String text = p.get("text").asText();
      if (!text.contains(ChatTemplate.IMAGE)) assertEquals(text, tokenizer.decode(ids));
    }
  }

  @Test
  void trainingConversationIdsAndLabelsMatch() {
    JsonNode c = cases.get("conversation");
    List<Turn> turns = new ArrayList<>();
    // the record preprocessing (preprocess_multimodal) comes before the template, as in the authors' datasets
    for (JsonNode t : c.get("turns")) turns.add(new Turn(t.get("from").asText(), ChatTemplate.imageFirst(t.get("value").asText())));
    int[] ids = ints(c.get("ids"));
    TokenizedExample plain = new ChatTemplate(tokenizer, false, 256).conversation(turns, 4096);
    assertArrayEquals(ids, plain.ids());
    assertArrayEquals(ints(c.get("labels")), plain.labels());
    assertEquals(1, plain.images());
    TokenizedExample unmasked = new ChatTemplate(tokenizer, true, 256).conversation(turns, 4096);
    assertArrayEquals(ids, unmasked.ids());
    assertArrayEquals(ints(c.get("labels_unmasked")), unmasked.labels());
  }

  private static int[] ints(JsonNode array) {
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) out[i] = array.get(i).asInt();
    return out;
  }
}
