package org.mapd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Helpers of the fuzz tests (classes named *FuzzTest beside the parser they fuzz): the input as a file, for
 * parsers that read files, and what a refusal must look like. Each fuzz test is also a standalone Jazzer target
 * ({@code fuzzerTestOneInput}) for longer runs: tools/fuzz.sh.
 */
public final class FuzzInput {
  private static Path dir;

  private FuzzInput() {}

  /** Writes the input under a folder of this JVM (one file per name, overwritten at each execution). */
  public static synchronized Path file(String name, byte[] bytes) {
    try {
      if (dir == null) {
        dir = Files.createTempDirectory("mapd-fuzz");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          try {
            Dirs.deleteTree(dir);
          } catch (IOException ignored) {
            // a temporary folder
          }
        }));
      }
      Path file = dir.resolve(name);
      Files.write(file, bytes);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A parser's refusal must say what is wrong: one that does not is a finding. */
  public static void refused(RuntimeException e) {
    if (e.getMessage() == null || e.getMessage().isBlank()) throw new AssertionError("refusal without a message", e);
  }
}
