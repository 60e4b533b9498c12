package org.mapd.pipelines;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.mapd.Json;

/**
 * pipelines/split_rules.json: how the conversation sources are split into the finetuning datasets.
 * Kept as data so that a reader can check the split against method.md without reading Java.
 */
public record SplitRules(
    String comment,
    List<String> datasets,
    Instruct150k instruct150k,
    OkVqa okvqa,
    Pretrain pretrain,
    List<Source> sources) {

  /** Relative to the working directory (the repository root, as for the plans); -Dmapd.splitRules overrides. */
  public static final Path DEFAULT_FILE = Path.of("pipelines", "split_rules.json");

  /** The rules file the preparation reads unless told otherwise: -Dmapd.splitRules, else {@link #DEFAULT_FILE}. */
  public static Path defaultFile() {
    String override = System.getProperty("mapd.splitRules");
    return override != null ? Path.of(override) : DEFAULT_FILE;
  }

  public static SplitRules loadDefault() {
    Path file = defaultFile();
    if (!java.nio.file.Files.isRegularFile(file)) {
      throw new IllegalArgumentException("split rules not found at " + file.toAbsolutePath()
          + ": run from the repository root or set -Dmapd.splitRules=FILE");
    }
    return load(file);
  }

  /** The three LLaVA-Instruct-150K files by dataset name. */
  public record Instruct150k(String comment, Map<String, String> files) {}

  /** How VQAv2 and OK-VQA are told apart, or combined when the question file is missing. */
  public record OkVqa(String comment, String questions, String matched, String unmatched, String combined) {}

  public record Pretrain(String file, String imageRoot) {}

  /** One conversation file; image paths are relative to {@code imageRoot}. */
  public record Source(String name, String file, String imageRoot, List<Rule> rules) {}

  /**
   * @param imagePrefix the image path must start with it
   * @param dataset the dataset of a match (null when a join decides)
   * @param firstHumanRegex found (not matched) in the first human turn, or null for any
   * @param join instruct150k or okvqa: the dataset comes from a look-up
   */
  public record Rule(String imagePrefix, String dataset, String firstHumanRegex, String join) {
    /** @param regex this rule's compiled {@code firstHumanRegex} (compiled once per worker) */
    boolean matches(String image, String firstHuman, Pattern regex) {
      if (imagePrefix != null && (image == null || !image.startsWith(imagePrefix))) return false;
      return regex == null || regex.matcher(firstHuman).find();
    }
  }

  public SplitRules {
    if (datasets == null || sources == null || okvqa == null || instruct150k == null) {
      throw new IllegalArgumentException("split_rules.json needs datasets, sources, okvqa and instruct150k");
    }
    for (Source s : sources) {
      for (Rule r : s.rules()) {
        if (r.dataset() == null && r.join() == null) {
          throw new IllegalArgumentException("split rule of " + s.name() + " has neither dataset nor join");
        }
        if (r.firstHumanRegex() != null) Pattern.compile(r.firstHumanRegex());
      }
    }
  }

  public static SplitRules load(Path file) {
    return Json.read(file, SplitRules.class);
  }

  public Source source(String name) {
    return sources.stream().filter(s -> s.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no source " + name));
  }
}
