package org.mapd.model;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The frozen backbones a worker loaded last, kept for the next stage that asks for the same ones: loading
 * Qwen2.5-7B converts 15 GB of BF16 into 30 GB of FP32 and takes minutes, and a GPU worker runs dozens of
 * stages on the same backbones (pretraining, five strategies, fifteen ModelAvg runs, seven evaluations).
 * One model at a time: asking for other backbones releases the kept ones once nobody uses them.
 */
public final class ModelPool {
  /** Identifies loaded backbones: folders, mapper shape, and each weight file's size and modification time. */
  private record Key(Backbones backbones, MapperConfig mapper, List<String> files) {}

  private static Key key;
  private static LoadedModel model;
  private static NDManager manager;
  private static int users;

  private ModelPool() {}

  /** A lease on loaded backbones; closing it returns them to the pool (they stay loaded). */
  public static final class Lease implements AutoCloseable {
    private final LoadedModel model;
    private final NDManager own; // set when the pool could not keep the model: closed with the lease
    private boolean closed;

    private Lease(LoadedModel model, NDManager own) {
      this.model = model;
      this.own = own;
    }

    public LoadedModel model() {
      return model;
    }

    @Override
    public void close() {
      if (closed) return;
      closed = true;
      if (own != null) {
        model.close();
        own.close();
      } else {
        release();
      }
    }
  }

  public static synchronized Lease acquire(Backbones backbones, MapperConfig mapper) {
    Key wanted = new Key(backbones, mapper, fingerprint(backbones));
    if (wanted.equals(key)) {
      users++;
      return new Lease(model, null);
    }
    if (users > 0) { // another stage holds different backbones: load these on the side
      NDManager own = NDManager.newBaseManager();
      return new Lease(load(backbones, mapper, own), own);
    }
    clear();
    NDManager m = NDManager.newBaseManager();
    model = load(backbones, mapper, m);
    manager = m;
    key = wanted;
    users = 1;
    return new Lease(model, null);
  }

  /** Frees the kept backbones (tests and the end of a worker). */
  public static synchronized void clear() {
    if (users > 0) throw new IllegalStateException("backbones still in use by " + users + " stage(s)");
    if (model != null) model.close();
    if (manager != null) manager.close();
    model = null;
    manager = null;
    key = null;
  }

  private static synchronized void release() {
    users--;
  }

  private static LoadedModel load(Backbones backbones, MapperConfig mapper, NDManager m) {
    try {
      return LoadedModel.load(backbones, mapper, m);
    } catch (RuntimeException e) {
      m.close();
      throw e;
    }
  }

  private static List<String> fingerprint(Backbones b) {
    List<String> files = new ArrayList<>();
    for (String dir : List.of(b.vision(), b.llm())) {
      Path d = Path.of(dir);
      if (!Files.isDirectory(d)) continue;
      try (Stream<Path> s = Files.list(d)) {
        for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
          files.add(f + ":" + Files.size(f) + ":" + Files.getLastModifiedTime(f).toMillis());
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list " + d, e);
      }
    }
    return files;
  }
}
