package org.mapd.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Map;

/** Reader and writer of safetensors files (F32/F16/BF16 read as F32; sharded folders with index.json). */
public final class Safetensors {
  private Safetensors() {}

  /** Loads a file, or a folder's model.safetensors / model.safetensors.index.json shards. */
  public static Map<String, NDArray> load(NDManager manager, Path fileOrDir) { throw new UnsupportedOperationException("helper A"); }

  /** Writes F32 (and INT64) tensors atomically, with string metadata. */
  public static void save(Path file, Map<String, NDArray> tensors, Map<String, String> metadata) { throw new UnsupportedOperationException("helper A"); }
}
