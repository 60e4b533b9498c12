package org.mapd.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ScoringTest {
  private static boolean authors(String prediction, String answer, String task) {
    return Scoring.exactMatch(prediction, answer, task, true);
  }

  private static boolean intended(String prediction, String answer, String task) {
    return Scoring.exactMatch(prediction, answer, task, false);
  }

  @Test
  void deletesAnswerWordsThenStripsColonsAndWhitespace() {
    assertTrue(authors("Answer: dax", "dax", "open_mi"));
    assertTrue(authors("answer:blicket", "blicket", "open_mi"));
    assertTrue(authors(":dax", "dax", "open_mi"));
    // ':' is stripped before whitespace, so a colon behind a space survives (as in the script).
    assertFalse(authors("  :dax:  ", "dax", "open_mi"));
    assertTrue(authors("dax\n", "dax", "open_mi"));
  }

  @Test
  void caseInsensitiveEquality() {
    assertTrue(authors("DAX", "dax", "open_mi"));
    assertTrue(authors("Hello World", "hello world", "textocr"));
    assertFalse(authors("dax cat", "dax", "open_mi"));
  }

  @Test
  void cutsAtFirstNewlineElseAtFirstPeriod() {
    assertTrue(authors("dax\nIt is a dax.", "dax", "open_mi"));
    assertTrue(authors("dax. It is", "dax", "open_mi"));
    // A period at position 0 is not a cut point.
    assertFalse(authors(".dax", "dax", "open_mi"));
    assertTrue(authors(".dax", ".dax", "open_mi"));
    // With a newline, later periods stay: "a.b" is cut at '\n' only.
    assertTrue(authors("a.b\nc", "a.b", "textocr"));
  }

  @Test
  void digitExtractionOnlyForOperatorInductionAndClevr() {
    assertTrue(authors("The result is 12", "12", "operator_induction"));
    assertTrue(authors("there are 3 objects", "3", "clevr"));
    assertTrue(authors("4 and 5", "4", "operator_induction_interleaved"));
    assertFalse(authors("there are 3 objects", "3", "textocr"));
    assertFalse(authors("none", "0", "clevr"));
    // Extraction happens after the cut: the number after the newline is gone.
    assertFalse(authors("many\n7", "7", "clevr"));
    assertTrue(authors("\n\nAnswer: 7\nmore", "7", "clevr"));
    assertFalse(authors("\n\nAnswer: 7\nmore", "7", "textocr"));
  }

  @Test
  void authorsLoseTheMinusSignIntendedKeepsIt() {
    assertFalse(authors("-3", "-3", "operator_induction"));
    assertTrue(authors("-3", "3", "operator_induction"));
    assertTrue(intended("-3", "-3", "operator_induction"));
    assertFalse(intended("-3", "3", "operator_induction"));
    assertTrue(intended("Answer: -12.", "-12", "operator_induction"));
    assertTrue(intended("12", "12", "clevr"));
    assertFalse(intended("5 - 8 = -3", "-3", "operator_induction"));
  }

  @Test
  void cleanGenerationDropsTrailingPeriodsOnly() {
    assertEquals("dax", Scoring.cleanGeneration("dax..."));
    assertEquals("d.a.x", Scoring.cleanGeneration("d.a.x."));
    assertEquals("", Scoring.cleanGeneration("."));
    assertEquals(" dax ", Scoring.cleanGeneration(" dax "));
  }
}
