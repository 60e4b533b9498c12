package org.mapd.train;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.mapd.Json;
import org.mapd.data.LlavaRecord;

/** Reader of the prepared layout (captions, per-dataset files, task manifests) written by PrepareData. */
final class Prepared {
  /** A meta-task (mapd, multitask): indices into the dataset's array. */
  record TaskLine(String dataset, List<Integer> support, List<Integer> query) {}

  /** An ICT sample: context indices and the query index. */
  record IctLine(String dataset, List<Integer> context, int query) {}

  /** One example of a supervised order (nometatask, modelavg). */
  record IndexLine(String dataset, int index) {}

  private final Path root;
  private final Map<String, List<LlavaRecord>> datasets = new HashMap<>();
  private final Map<String, List<?>> manifests = new HashMap<>();

  Prepared(Path root) {
    this.root = root;
  }

  Path pretrainImages() {
    return root.resolve("LLaVA-Pretrain/images");
  }

  Path instructImages() {
    return root.resolve("LLaVA-Instruct/Image_data");
  }

  List<LlavaRecord> captions() {
    return readArray(root.resolve("LLaVA-Pretrain/blip_laion_cc_sbu_558k.json"));
  }

  /** Names of the dataset folders present. */
  List<String> datasetNames() {
    try (Stream<Path> s = Files.list(instructImages())) {
      return s.filter(p -> Files.exists(p.resolve(p.getFileName() + "_dataset.json")))
          .map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + instructImages(), e);
    }
  }

  List<LlavaRecord> dataset(String name) {
    return datasets.computeIfAbsent(name, n -> readArray(instructImages().resolve(n).resolve(n + "_dataset.json")));
  }

  LlavaRecord record(String dataset, int index) {
    return dataset(dataset).get(index);
  }

  /**
   * Lines of tasks/{kind}/epoch-{epoch}.jsonl; when fewer epochs were prepared than are trained, the
   * prepared epochs are reused cyclically.
   */
  @SuppressWarnings("unchecked")
  <T> List<T> manifest(String kind, int epoch, Class<T> type) {
    return (List<T>) manifests.computeIfAbsent(kind + "@" + epoch, k -> readManifest(kind, epoch, type));
  }

  private <T> List<T> readManifest(String kind, int epoch, Class<T> type) {
    Path dir = root.resolve("tasks").resolve(kind);
    Path file = dir.resolve("epoch-" + epoch + ".jsonl");
    if (!Files.exists(file)) {
      int available = 0;
      while (Files.exists(dir.resolve("epoch-" + available + ".jsonl"))) available++;
      if (available == 0) throw new IllegalArgumentException("no task manifest in " + dir);
      file = dir.resolve("epoch-" + (epoch % available) + ".jsonl");
    }
    List<T> out = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(file)) {
        if (!line.isBlank()) out.add(Json.MAPPER.readValue(line, type));
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
    return out;
  }

  static List<LlavaRecord> readArray(Path file) {
    try {
      return Json.MAPPER.readValue(file.toFile(), new TypeReference<List<LlavaRecord>>() {});
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }
}
