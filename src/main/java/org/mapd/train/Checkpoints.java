package org.mapd.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.mapd.Dirs;
import org.mapd.Json;
import org.mapd.model.Safetensors;

/**
 * OUT/checkpoints/step-XXXXXXX/{params.safetensors, optim.safetensors, state.json}. A checkpoint is
 * written into a hidden temporary folder and renamed, so a folder named step-* is always complete; the
 * last {@link #KEEP} are kept.
 */
public final class Checkpoints {
  static final int KEEP = 2;
  private static final String PREFIX = "step-";

  /** A loaded checkpoint; arrays belong to the manager given to {@link #load}. */
  record Loaded(Path dir, TrainState state, Map<String, NDArray> params, Map<String, NDArray> m, Map<String, NDArray> v) {}

  private final Path root;

  Checkpoints(Path stageOut) {
    this.root = stageOut.resolve("checkpoints");
  }

  Path save(TrainState state, Map<String, NDArray> params, AdamW adam) {
    try {
      Files.createDirectories(root);
      String name = String.format("%s%07d", PREFIX, state.step());
      Path tmp = Files.createTempDirectory(root, ".tmp-" + name);
      Safetensors.save(tmp.resolve("params.safetensors"), params, Map.of());
      Map<String, NDArray> optim = new LinkedHashMap<>();
      adam.firstMoments().forEach((k, a) -> optim.put("m/" + k, a));
      adam.secondMoments().forEach((k, a) -> optim.put("v/" + k, a));
      Safetensors.save(tmp.resolve("optim.safetensors"), optim, Map.of());
      Json.writeAtomic(tmp.resolve("state.json"), state);
      Path dir = root.resolve(name);
      if (Files.exists(dir)) Dirs.deleteTree(dir);
      Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
      List<Path> all = complete();
      for (int i = 0; i < all.size() - KEEP; i++) Dirs.deleteTree(all.get(i));
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write checkpoint under " + root, e);
    }
  }

  /** The newest complete checkpoint; half-written folders of a killed run are removed first. */
  Optional<Loaded> loadNewest(NDManager manager) {
    if (Files.isDirectory(root)) {
      try (Stream<Path> s = Files.list(root)) {
        for (Path p : s.filter(p -> p.getFileName().toString().startsWith(".tmp-")).toList()) Dirs.deleteTree(p);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    List<Path> all = complete();
    if (all.isEmpty()) return Optional.empty();
    Path dir = all.get(all.size() - 1);
    TrainState state = Json.read(dir.resolve("state.json"), TrainState.class);
    Map<String, NDArray> params = new LinkedHashMap<>(Safetensors.load(manager, dir.resolve("params.safetensors")));
    Map<String, NDArray> m = new LinkedHashMap<>();
    Map<String, NDArray> v = new LinkedHashMap<>();
    Safetensors.load(manager, dir.resolve("optim.safetensors")).forEach((k, a) -> {
      if (k.startsWith("m/")) m.put(k.substring(2), a);
      else if (k.startsWith("v/")) v.put(k.substring(2), a);
    });
    return Optional.of(new Loaded(dir, state, params, m, v));
  }

  /**
   * The newest complete checkpoint folder in a stage's output, where a rerun of the stage resumes; read
   * without loading it, for a log line.
   */
  public static Optional<Path> newest(Path stageOut) {
    List<Path> all = new Checkpoints(stageOut).complete();
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
  }

  /** Complete checkpoint folders, oldest first. */
  List<Path> complete() {
    if (!Files.isDirectory(root)) return List.of();
    try (Stream<Path> s = Files.list(root)) {
      return s.filter(p -> p.getFileName().toString().startsWith(PREFIX))
          .filter(p -> Files.exists(p.resolve("state.json")))
          .sorted(Comparator.comparing(p -> p.getFileName().toString()))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

}
