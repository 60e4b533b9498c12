package org.mapd.images;

import java.io.IOException;
import java.nio.file.Path;

/** An image file that cannot be turned into pixels; the message names the file and says why. */
public final class BadImageException extends IOException {
  private final boolean missing;

  BadImageException(Path file, String why) {
    this(file, why, false, null);
  }

  BadImageException(Path file, String why, boolean missing, Throwable cause) {
    super(file + ": " + why, cause);
    this.missing = missing;
  }

  /** True when there is no readable file at all (as opposed to a file that is not a usable image). */
  public boolean missing() {
    return missing;
  }
}
