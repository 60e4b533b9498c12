package org.mapd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process's peak resident memory, from Linux's /proc (VmHWM), with a reset so that each stage of a
 * worker can be measured on its own. Elsewhere the peak is unknown (-1).
 */
public final class HostMemory {
  private static final Path STATUS = Path.of("/proc/self/status");
  private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

  private HostMemory() {}

  /** Starts a new peak at the current resident size ("5" to clear_refs resets VmHWM). */
  public static void resetPeak() {
    try {
      if (Files.isWritable(CLEAR_REFS)) Files.writeString(CLEAR_REFS, "5");
    } catch (IOException e) {
      // Without the reset the peak covers the process's whole life: still an upper bound.
    }
  }

  /** Peak resident bytes since the last reset (or process start), or -1 where /proc is missing. */
  public static long peakBytes() {
    try {
      for (String line : Files.readAllLines(STATUS)) {
        if (line.startsWith("VmHWM:")) return 1024L * Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }
}
