package org.mapd.workflows;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.mapd.Dirs;
import org.mapd.Json;
import org.mapd.eval.Evaluate;
import org.slf4j.LoggerFactory;

/**
 * The private folders of a stage's attempts, ATTEMPTS/attempt-NNNNNN (numbered by lease generation). A new
 * attempt starts from the files of the newest earlier one: hard links for files that are only ever replaced
 * by a rename (checkpoints, JSON), a copy of the one file appended in place (samples.jsonl), so that an
 * earlier attempt still running somewhere cannot change what the new one reads.
 */
final class Attempts {
  private static final String PREFIX = "attempt-";
  /** Files a stage appends to in place: copied, never linked. */
  private static final List<String> APPENDED = List.of(Evaluate.SAMPLES_FILE);

  private Attempts() {}

  static Path folder(Path attempts, long generation) {
    return attempts.resolve(String.format("%s%06d", PREFIX, generation));
  }

  /**
   * Fills {@code work} from the newest attempt folder before {@code generation}, or else from an unfinished
   * stage folder of the older layout (written in place); returns the folder it started from, if any.
   */
  static Optional<Path> inherit(Path attempts, long generation, Path stageDir, Path work) {
    try {
      Optional<Path> from = Optional.empty();
      for (long g = generation - 1; g > 0 && from.isEmpty(); g--) {
        if (Files.isDirectory(folder(attempts, g))) from = Optional.of(folder(attempts, g));
      }
      if (from.isEmpty() && Files.isDirectory(stageDir) && !Files.exists(stageDir.resolve(StageStore.DONE))) {
        from = Optional.of(stageDir);
      }
      if (Files.exists(work)) Dirs.deleteTree(work); // a dead attempt of this very generation cannot exist; be safe
      Files.createDirectories(work);
      if (from.isPresent()) copyTree(from.get(), work);
      return from;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the attempt folder " + work, e);
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    List<Path> all;
    try (Stream<Path> s = Files.walk(from)) {
      all = s.sorted(Comparator.comparing(Path::toString)).toList();
    }
    for (Path p : all) {
      Path rel = from.relativize(p);
      if (rel.toString().isEmpty() || unfinished(rel)) continue;
      Path target = to.resolve(rel.toString());
      try {
        if (Files.isSymbolicLink(p)) { // a link into the earlier attempt points into this one
          Path linked = Files.readSymbolicLink(p);
          Files.createSymbolicLink(target, linked.isAbsolute() && linked.startsWith(from)
              ? to.resolve(from.relativize(linked)) : linked);
        } else if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else if (Files.isRegularFile(p)) {
          if (APPENDED.contains(p.getFileName().toString())) {
            Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
          } else {
            link(p, target);
          }
        }
      } catch (NoSuchFileException gone) {
        // the earlier attempt, still running, replaced or removed it meanwhile: its newer files are enough
      }
    }
  }

  /** Temporary files and folders of a write that had not finished. */
  private static boolean unfinished(Path rel) {
    for (Path part : rel) {
      String n = part.toString();
      if (n.startsWith(".tmp-") || n.endsWith(".tmp")) return true;
    }
    return false;
  }

  /** A hard link, or a copy where the file system has none. */
  private static void link(Path p, Path target) throws IOException {
    try {
      Files.createLink(target, p);
    } catch (NoSuchFileException e) {
      throw e;
    } catch (UnsupportedOperationException | IOException e) {
      Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** The result with every path inside the attempt folder moved to the published folder. */
  static <T> T relocate(T result, Path work, Path dir, Class<T> type) {
    String json = Json.write(result);
    String moved = json.replace(work.toString(), dir.toString());
    if (moved.equals(json)) return result;
    try {
      return Json.MAPPER.readValue(moved, type);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot move the paths of " + type.getSimpleName() + " to " + dir, e);
    }
  }

  /**
   * Points every symbolic link in the attempt folder whose absolute target lies inside it (PrepareData links the
   * images of the data it generated) at the same place in the published folder, before the rename: after it,
   * the links resolve there (found by the chaos run: they dangled).
   */
  static void relocateLinks(Path work, Path dir) {
    List<Path> links;
    try (Stream<Path> s = Files.walk(work)) {
      links = s.filter(Files::isSymbolicLink).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + work, e);
    }
    for (Path link : links) {
      try {
        Path target = Files.readSymbolicLink(link);
        if (!target.isAbsolute() || !target.startsWith(work)) continue;
        Files.delete(link);
        Files.createSymbolicLink(link, dir.resolve(work.relativize(target)));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot move the link " + link + " to " + dir, e);
      }
    }
  }

  /** Removes a stage's attempts folder after it was published; what a still-running attempt adds stays. */
  static void remove(Path attempts) {
    try {
      Dirs.deleteTree(attempts);
    } catch (IOException e) {
      LoggerFactory.getLogger(Attempts.class).debug("cannot remove {} yet: {}", attempts, e.toString());
    }
  }
}
