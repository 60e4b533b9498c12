package org.mapd.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.mapd.data.LlavaRecord;
import org.mapd.pipelines.DatasetFile;

/**
 * The prepared layout as training reads it: datasets, captions and task manifests as indexed record files
 * ({@link RecordIndex}), read one record at a time, so a stage's memory does not grow with the 558K
 * captions or the 665K-record mixture. A file that cannot be read is a bad input (IllegalArgumentException),
 * which a retry cannot fix.
 */
final class Prepared implements AutoCloseable {
  /** Records of one file, by position. */
  interface Records<T> {
    int size();

    T get(int i);

    /** Every record as a list: only for files known to be small (the mini warm-up's synthetic data). */
    default List<T> all() {
      List<T> out = new java.util.ArrayList<>(size());
      for (int i = 0; i < size(); i++) out.add(get(i));
      return out;
    }
  }

  private final Path root;
  private final Path indexDir;
  private final Map<Path, RecordIndex> open = new HashMap<>();

  /** @param indexDir where record indexes are kept (the stage's own folder: the prepared one may be shared) */
  Prepared(Path root, Path indexDir) {
    this.root = root;
    this.indexDir = indexDir;
  }

  Path root() {
    return root;
  }

  Path pretrainImages() {
    return root.resolve("LLaVA-Pretrain/images");
  }

  Records<LlavaRecord> captions() {
    return records(DatasetFile.pretrainPath(root), RecordIndex.Layout.JSON_ARRAY, LlavaRecord.class);
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

  Records<LlavaRecord> dataset(String name) {
    return records(DatasetFile.path(root, name), RecordIndex.Layout.JSON_ARRAY, LlavaRecord.class);
  }

  LlavaRecord record(String dataset, int index) {
    return dataset(dataset).get(index);
  }

  /**
   * Lines of the manifest {@code file} names for an epoch; when fewer epochs were prepared than are
   * trained, the prepared epochs are reused cyclically.
   */
  <T> Records<T> manifest(IntFunction<Path> file, int epoch, Class<T> type) {
    Path f = file.apply(epoch);
    if (!Files.exists(f)) {
      int available = 0;
      while (Files.exists(file.apply(available))) available++;
      if (available == 0) throw new IllegalArgumentException("no task manifest in " + f.getParent());
      f = file.apply(epoch % available);
    }
    return records(f, RecordIndex.Layout.JSON_LINES, type);
  }

  private <T> Records<T> records(Path file, RecordIndex.Layout layout, Class<T> type) {
    if (!Files.isRegularFile(file)) throw new IllegalArgumentException(file + ": not found");
    RecordIndex index = open.computeIfAbsent(file, f -> {
      Path rel = root.toAbsolutePath().relativize(f.toAbsolutePath());
      try {
        return RecordIndex.open(f, indexDir.resolve(rel.toString().replace('/', '_') + ".idx"), layout);
      } catch (UncheckedIOException e) {
        throw new IllegalArgumentException(f + ": " + e.getCause().getMessage(), e.getCause());
      }
    });
    return new Records<>() {
      @Override
      public int size() {
        return index.size();
      }

      @Override
      public T get(int i) {
        return index.read(i, type);
      }
    };
  }

  @Override
  public void close() {
    open.values().forEach(RecordIndex::close);
    open.clear();
  }
}
