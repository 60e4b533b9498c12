package org.mapd;

import java.io.IOException;
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

  /** {@link #writeAtomic(Path, long, Content)} of a file whose size is not known beforehand. */
  public static void writeAtomic(Path file, Content content) {
    writeAtomic(file, 0, content);
  }

  /**
   * Writes {@code file} through a sibling temp file (a new name each time, so concurrent writers of one file
   * never share it) that is renamed into place: a reader never sees half of it, even after kill -9. When writing
   * fails the temp file is removed and the old file, if any, stays; a full disk is reported as {@link DiskFull}
   * with {@code bytes} (the file's size when known, else 0) or what was written before space ran out.
   */
  public static void writeAtomic(Path file, long bytes, Content content) {
    Path parent = file.toAbsolutePath().getParent();
    Path tmp = null;
    try {
      Files.createDirectories(parent);
      tmp = Files.createTempFile(parent, file.getFileName().toString(), ".tmp");
      content.writeTo(tmp);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw DiskFull.writeFailed(file, tmp, Math.max(bytes, sizeOrZero(tmp)), e);
    } catch (RuntimeException e) {
      try {
        if (tmp != null) Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // the original error is the one to report
      }
      throw e;
    }
  }

  private static long sizeOrZero(Path file) {
    try {
      return file == null ? 0 : Files.size(file);
    } catch (IOException e) {
      return 0;
    }
  }
}
