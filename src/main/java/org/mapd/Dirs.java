package org.mapd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/** Folder and file helpers shared by the stages and the CLI. */
public final class Dirs {
  private Dirs() {}

  /** Deletes a folder and everything under it; nothing when it does not exist. */
  public static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) return;
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
    }
  }

  /** Writes the content of a file, given the path to write it to. */
  public interface Content {
    void writeTo(Path file) throws IOException;
  }

  /**
   * Writes {@code file} through a sibling temp file (a new name each time, so concurrent writers of one file
   * never share it) that is renamed into place: a reader never sees half of it, even after kill -9. The temp
   * file is removed when writing fails.
   */
  public static void writeAtomic(Path file, Content content) {
    Path parent = file.toAbsolutePath().getParent();
    try {
      Files.createDirectories(parent);
      Path tmp = Files.createTempFile(parent, file.getFileName().toString(), ".tmp");
      try {
        content.writeTo(tmp);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException | RuntimeException e) {
        Files.deleteIfExists(tmp);
        throw e;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
