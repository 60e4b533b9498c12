package org.mapd.pipelines;

import java.io.Serializable;
import java.nio.file.Path;

/**
 * The check of one record's image, as the workers run it (Serializable: it travels with the DoFn). The
 * preparation checks the files ({@link #of}); a benchmark may check against an index of the paths instead.
 */
@FunctionalInterface
public interface ImageCheck extends Serializable {
  /** @throws Checks.Rejected image_missing or image_undecodable, naming the file and why */
  void check(Path image) throws Checks.Rejected;

  /** The files themselves: the structure check, or with {@code full} a full decode ({@link Checks#checkImage}). */
  static ImageCheck of(boolean full) {
    return full ? image -> Checks.checkImage(image, true) : image -> Checks.checkImage(image, false);
  }
}
