package org.mapd.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.mapd.data.LlavaRecord;
import org.mapd.pipelines.DatasetFile;

/**
 * The prepared layout as training reads it, through the readers of {@link DatasetFile} and
 * {@link org.mapd.pipelines.Manifests}: each dataset and manifest is read once per run, and a file that
 * cannot be read is a bad input (IllegalArgumentException), which a retry cannot fix.
 */
final class Prepared {
  private final Path root;
  private final Map<String, List<LlavaRecord>> datasets = new HashMap<>();
  private final Map<Path, List<?>> manifests = new HashMap<>();

  Prepared(Path root) {
    this.root = root;
  }

  Path root() {
    return root;
  }

  Path pretrainImages() {
    return root.resolve("LLaVA-Pretrain/images");
  }

  List<LlavaRecord> captions() {
    return read(DatasetFile.pretrainPath(root), DatasetFile::read);
  }

  /** Names of the dataset folders present. */
  List<String> datasetNames() {
    Path images = DatasetFile.imageRoot(root);
    try (Stream<Path> s = Files.list(images)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> Files.exists(DatasetFile.path(root, n))).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + images, e);
    }
  }

  List<LlavaRecord> dataset(String name) {
    return datasets.computeIfAbsent(name, n -> read(DatasetFile.path(root, n), DatasetFile::read));
  }

  LlavaRecord record(String dataset, int index) {
    return dataset(dataset).get(index);
  }

  /**
   * Lines of the manifest {@code file} names for an epoch; when fewer epochs were prepared than are
   * trained, the prepared epochs are reused cyclically.
   */
  @SuppressWarnings("unchecked")
  <T> List<T> manifest(IntFunction<Path> file, int epoch, Function<Path, List<T>> reader) {
    return (List<T>) manifests.computeIfAbsent(file.apply(epoch), f -> {
      if (Files.exists(f)) return read(f, reader);
      int available = 0;
      while (Files.exists(file.apply(available))) available++;
      if (available == 0) throw new IllegalArgumentException("no task manifest in " + f.getParent());
      return read(file.apply(epoch % available), reader);
    });
  }

  private static <T> T read(Path file, Function<Path, T> reader) {
    try {
      return reader.apply(file);
    } catch (UncheckedIOException e) {
      throw new IllegalArgumentException(file + ": " + e.getCause().getMessage(), e.getCause());
    }
  }
}
