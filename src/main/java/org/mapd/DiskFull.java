package org.mapd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A write that did not fit: says in one line which folder, how many bytes the write needed and how many were
 * free. Thrown only after the partial file has been removed, so what is left on disk is what was there before.
 * A retry on the same disk cannot help; a rerun after space is freed continues from what was written before.
 */
public final class DiskFull extends UncheckedIOException {
  private final Path folder;
  private final long needed;
  private final long free;

  public DiskFull(Path folder, long needed, long free, IOException cause) {
    super("no space left in " + folder + ": " + needed + " bytes needed, " + (free < 0 ? "unknown" : free) + " free",
        cause != null ? cause : new IOException("not enough usable space before writing"));
    this.folder = folder;
    this.needed = needed;
    this.free = free;
  }

  public Path folder() {
    return folder;
  }

  public long needed() {
    return needed;
  }

  public long free() {
    return free;
  }

  /**
   * What a failed write of {@code needed} bytes to {@code file} through the temporary {@code tmp} (null if not
   * made yet) throws, after removing {@code tmp}: a DiskFull when space ran out, else "cannot write FILE".
   */
  public static UncheckedIOException writeFailed(Path file, Path tmp, long needed, IOException e) {
    if (tmp != null) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // the original error is the one to report
      }
    }
    Path parent = file.toAbsolutePath().getParent();
    if (isCause(e, parent, needed)) return new DiskFull(parent, needed, usable(parent), e);
    return new UncheckedIOException("cannot write " + file, e);
  }

  /** Usable bytes of the file system holding {@code folder} (its nearest existing parent); -1 if unknown. */
  public static long usable(Path folder) {
    Path p = folder.toAbsolutePath();
    while (p != null && !Files.exists(p)) p = p.getParent();
    if (p == null) return -1;
    try {
      return Files.getFileStore(p).getUsableSpace();
    } catch (IOException e) {
      return -1;
    }
  }

  /**
   * Whether a failed write of {@code needed} bytes into {@code folder} ran out of space: the error says so
   * (ENOSPC, EDQUOT), or the folder's file system has less room than the write needs.
   */
  public static boolean isCause(IOException e, Path folder, long needed) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = t.getMessage();
      if (m != null && (m.contains("No space left on device") || m.contains("Disk quota exceeded"))) return true;
    }
    long free = usable(folder);
    return free >= 0 && free < needed;
  }
}
