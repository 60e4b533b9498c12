package org.mapd.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mapd.data.Turn;

class PromptsTest {
  private final List<Shot> shots = List.of(
      new Shot("clevr/a.png", "What is the result?", "5"),
      new Shot("clevr/b.png", "material: metal", "2"));

  @Test
  void iclPromptWithTheAuthorsCharsetLstrip() {
    assertEquals(
        "<image>\n What is the result?  Answer: 5\n<image>\n terial: metal  Answer: 2\n<image>\n size: small",
        Prompts.icl(shots, "size: small", true));
  }

  @Test
  void iclPromptRemovingTheExactPrefix() {
    assertEquals(
        "<image>\n What is the result?  Answer: 5\n<image>\n material: metal  Answer: 2\n<image>\n size: small",
        Prompts.icl(shots, "size: small", false));
  }

  @Test
  void charsetLstripEatsEveryLeadingCharOfTheSet() {
    assertEquals("nta ball", Prompts.stripImageLine("<image>\nmagenta ball", true));
    assertEquals("magenta ball", Prompts.stripImageLine("<image>\nmagenta ball", false));
    // Text without the prefix is left alone by the intended rule.
    assertEquals("amage", Prompts.stripImageLine("amage", false));
  }

  @Test
  void openMiAndQueryOnly() {
    List<Shot> mi = List.of(new Shot("x.jpg", "This is a?", "dax"), new Shot("y.jpg", "This is a?", "wug"));
    assertEquals("<image>\n This is a?  Answer: dax\n<image>\n This is a?  Answer: wug\n<image>\n This is a?",
        Prompts.icl(mi, "This is a?", true));
    assertEquals("<image>\n This is a?", Prompts.query("This is a?"));
    // The script rstrips "\n" off the joined message.
    assertEquals("<image>\n q", Prompts.query("q\n\n"));
  }

  @Test
  void ftSupportConversation() {
    List<Turn> turns = Prompts.supportConversation(shots.get(0));
    // preprocess_multimodal strips the text after the image line: no trailing space in FT.
    assertEquals(List.of(new Turn("human", "<image>\nWhat is the result?"), new Turn("gpt", "5")), turns);
    assertEquals("<image>\nWhat is the result? ", Prompts.supportUser(shots.get(0)));
  }
}
