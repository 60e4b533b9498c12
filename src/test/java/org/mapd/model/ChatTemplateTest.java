package org.mapd.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mapd.data.Turn;

class ChatTemplateTest {
  @TempDir static Path dir;
  static TextTokenizer tok;

  @BeforeAll
  static void start() {
    Path file = dir.resolve("tokenizer.json");
    TextTokenizer.writeWordLevel(file, List.of("what", "colour", "is", "it?", "red", "You", "are", "a", "helpful",
        "assistant.", "system", "user", "assistant", "a", "cat"));
    tok = TextTokenizer.load(file);
  }

  @AfterAll
  static void stop() { tok.close(); }

  @Test
  void wordLevelTokenizerRoundTripsAndKeepsSpecials() {
    assertEquals(0, tok.id("<|endoftext|>"));
    assertEquals(1, tok.id("<|im_start|>"));
    assertEquals(2, tok.id("<|im_end|>"));
    assertEquals(3, tok.id("\n"));
    assertEquals(4, tok.id(TextTokenizer.UNKNOWN));
    assertEquals(4 + 14 + 1, tok.vocabSize(), "specials, newline, unk and 14 distinct words");
    int[] ids = tok.encode("<|im_start|>user\nwhat colour is it?<|im_end|>\n");
    assertArrayEquals(new int[] {1, tok.id("user"), 3, tok.id("what"), tok.id("colour"), tok.id("is"), tok.id("it?"), 2, 3}, ids);
    assertEquals("what colour is it?", tok.decode(tok.encode("what colour is it?")));
    assertArrayEquals(new int[] {tok.id("red"), 4, tok.id("cat")}, tok.encode("red  zebra cat"));
    var e = assertThrows(IllegalArgumentException.class, () -> tok.id("zebra"));
    assertTrue(e.getMessage().contains("zebra"));
    assertThrows(IllegalArgumentException.class, () -> TextTokenizer.writeWordLevel(dir.resolve("bad.json"), List.of("two words")));
  }

  @Test
  void conversationMasksEverythingButTheAssistant() {
    ChatTemplate t = new ChatTemplate(tok, false, 8);
    TokenizedExample ex = t.conversation(List.of(new Turn("human", ChatTemplate.imageFirst("what colour is it?\n<image>")),
        new Turn("gpt", "red")), 100);
    String system = "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n";
    int[] head = tok.encode(system + "<|im_start|>user\n");
    int[] expectedIds = concat(head, new int[] {Llava.IMAGE_TOKEN}, tok.encode("\nwhat colour is it?<|im_end|>\n"),
        tok.encode("<|im_start|>assistant\nred<|im_end|>\n"));
    assertArrayEquals(expectedIds, ex.ids(), "image moved to the front of its message");
    assertEquals(1, ex.images());
    int assistant = expectedIds.length - 6; // <|im_start|> assistant \n red <|im_end|> \n
    for (int i = 0; i < expectedIds.length; i++) {
      assertEquals(i < assistant ? Llava.IGNORE : expectedIds[i], ex.labels()[i], "label " + i);
    }
  }

  @Test
  void authorsUnmaskNewlinesAndChatTokensEverywhere() {
    ChatTemplate t = new ChatTemplate(tok, true, 8);
    TokenizedExample ex = t.conversation(List.of(new Turn("human", "<image>\nwhat"), new Turn("gpt", "red")), 100);
    for (int i = 0; i < ex.ids().length; i++) {
      int id = ex.ids()[i];
      boolean special = id == 1 || id == 2 || id == 3;
      if (special) assertEquals(id, ex.labels()[i], "special token " + i + " un-masked");
      if (id == tok.id("what") || id == Llava.IMAGE_TOKEN) assertEquals(Llava.IGNORE, ex.labels()[i]);
    }
    assertEquals(tok.id("red"), ex.labels()[ex.ids().length - 3]);
  }

  @Test
  void ictTemplateUnmasksOnlyNewlinesUnderAuthors() {
    List<Turn> turns = List.of(new Turn("human", "<image>\nwhat"), new Turn("gpt", "red"));
    TokenizedExample authors = new ChatTemplate(tok, true, 8).inContext().conversation(turns, 100);
    TokenizedExample intended = new ChatTemplate(tok, false, 8).inContext().conversation(turns, 100);
    int assistant = authors.ids().length - 6; // <|im_start|> assistant \n red <|im_end|> \n
    for (int i = 0; i < authors.ids().length; i++) {
      int id = authors.ids()[i];
      int expected = i >= assistant || id == 3 ? id : Llava.IGNORE; // "\n" everywhere, im_start/im_end only in the answer
      assertEquals(expected, authors.labels()[i], "authors label " + i);
      assertEquals(i >= assistant ? id : Llava.IGNORE, intended.labels()[i], "intended label " + i);
    }
  }

  @Test
  void imageFirstIsLlava15PreprocessMultimodal() {
    assertEquals("<image>\nwhat is it?", ChatTemplate.imageFirst("what is it?\n<image>"));
    assertEquals("<image>\nwhat is it?", ChatTemplate.imageFirst("<image> what is it? "), "rest stripped");
    assertEquals("<image>\nQ", ChatTemplate.imageFirst("<image>\n  Q\n"), "also when the image is already first");
    assertEquals("<image>\na  b", ChatTemplate.imageFirst("a <image> b<image>"), "placeholders collapse to one");
    assertEquals("<image>", ChatTemplate.imageFirst(" <image> "));
    assertEquals(" no image ", ChatTemplate.imageFirst(" no image "));
  }

  @Test
  void sequencesAreCutAfterImageExpansion() {
    ChatTemplate t = new ChatTemplate(tok, false, 8);
    List<Turn> turns = List.of(new Turn("human", "<image>\nwhat"), new Turn("gpt", "red"));
    TokenizedExample whole = t.conversation(turns, 1000);
    int spliced = whole.splicedLength(8);
    assertEquals(whole.ids().length + 7, spliced);
    assertArrayEquals(whole.ids(), t.conversation(turns, spliced).ids(), "exactly maxLen after expansion is kept whole");
    TokenizedExample cut = t.conversation(turns, spliced - 1);
    assertEquals(whole.ids().length - 1, cut.ids().length, "one token over maxLen after expansion");
    assertTrue(cut.splicedLength(8) <= spliced - 1);
    int beforeImage = java.util.Arrays.stream(whole.ids()).boxed().toList().indexOf(Llava.IMAGE_TOKEN);
    TokenizedExample noImage = t.conversation(turns, beforeImage + 7); // the image's 8 soft tokens do not fit
    assertEquals(beforeImage, noImage.ids().length, "an image that does not fit whole is dropped with what follows");
    assertEquals(0, noImage.images());
  }

  @Test
  void plainPromptPaddingAndTruncation() {
    ChatTemplate t = new ChatTemplate(tok, true, 1);
    TokenizedExample plain = t.plain("a red cat", 100);
    assertArrayEquals(new int[] {Llava.IMAGE_TOKEN, tok.id("a"), tok.id("red"), tok.id("cat"), 3}, plain.ids());
    assertArrayEquals(new int[] {Llava.IGNORE, tok.id("a"), tok.id("red"), tok.id("cat"), 3}, plain.labels());
    int[] prompt = t.prompt("<image>\n what");
    int[] tail = tok.encode("<|im_start|>assistant\n");
    assertArrayEquals(tail, java.util.Arrays.copyOfRange(prompt, prompt.length - tail.length, prompt.length));
    assertEquals(1, Llava.countImages(prompt));
    assertArrayEquals(new int[] {2, 0}, t.endIds());
    assertEquals(0, t.padId(true));
    assertEquals(tok.id("<|endoftext|>"), t.padId(false));
    TokenizedExample cut = t.conversation(List.of(new Turn("human", "what <image>"), new Turn("gpt", "red")), 5);
    assertEquals(5, cut.ids().length);
    assertEquals(0, cut.images(), "the image token was cut off");
    assertThrows(IllegalArgumentException.class, () -> t.conversation(List.of(new Turn("bot", "x")), 10));
  }

  private static int[] concat(int[]... parts) {
    return java.util.Arrays.stream(parts).flatMapToInt(java.util.Arrays::stream).toArray();
  }
}
