package org.mapd.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.mapd.model.TextTokenizer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Token ids of texts through a tokenizer.json, exactly as training and evaluation tokenize them. */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
    description = {"Prints the token ids of each input text as a JSON array, one line per input; no special tokens "
        + "are added (special tokens written in the text are recognised)."})
final class TokenizeCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Mixin Common common;

  @Spec CommandSpec spec;

  @Option(names = "--tokenizer", required = true, paramLabel = "FILE", description = "A HuggingFace tokenizer.json.")
  Path tokenizer;

  @ArgGroup(multiplicity = "1")
  Input input;

  static final class Input {
    @Option(names = "--text", required = true, paramLabel = "TEXT", description = "One text to tokenize.")
    String text;

    @Option(names = "--input", required = true, paramLabel = "FILE",
        description = "JSON lines, each an object with a \"text\" field; blank lines are skipped.")
    Path file;
  }

  @Override
  public Integer call() {
    if (!Files.isRegularFile(tokenizer)) throw new IllegalArgumentException(tokenizer + ": tokenizer file does not exist");
    List<String> texts = input.text != null ? List.of(input.text) : texts(input.file);
    PrintWriter out = spec.commandLine().getOut();
    try (TextTokenizer t = TextTokenizer.load(tokenizer)) {
      for (String text : texts) {
        out.println(Arrays.stream(t.encode(text)).mapToObj(Integer::toString).collect(Collectors.joining(",", "[", "]")));
      }
    }
    out.flush();
    return 0;
  }

  /** Reads every text first, so a bad line fails before anything is printed. */
  private static List<String> texts(Path file) {
    if (!Files.isRegularFile(file)) throw new IllegalArgumentException(file + ": input file does not exist");
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": cannot read", e);
    }
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).isBlank()) continue;
      String where = file + " line " + (i + 1);
      JsonNode node;
      try {
        node = JSON.readTree(lines.get(i));
      } catch (IOException e) {
        throw new IllegalArgumentException(where + ": not valid JSON");
      }
      JsonNode text = node == null ? null : node.get("text");
      if (text == null || !text.isTextual()) throw new IllegalArgumentException(where + ": field text is missing or not a string");
      texts.add(text.asText());
    }
    return texts;
  }
}
