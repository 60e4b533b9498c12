package org.mapd.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.mapd.model.ImageProcessor;
import org.mapd.model.LoadedModel;
import org.mapd.model.VisionConfig;
import org.mapd.model.VisionTower;

/**
 * Frozen vision features of image files, least recently used first out once they exceed a byte budget;
 * evicted features are recomputed when asked again. Recompute rather than spill to disk: at the paper's
 * shapes a CLIP ViT-L/14-336 forward is a few percent of the 7B forward and backward it feeds (README,
 * "Paper plan"), while LCS-558K's features alone are 1.3 TB in FP32. Cached rows belong to the cache's own
 * manager.
 */
public final class FeatureCache implements AutoCloseable {
  /** Images per vision-tower forward: bounds the tower's activations (MemoryModel#visionBytes). */
  public static final int BATCH = 8;

  private final LoadedModel model;
  private final boolean padToSquare;
  private final VisionTower tower;
  private final long budgetBytes;
  private final long rowBytes;
  private final NDManager manager = NDManager.newBaseManager();
  /** Access order: the eldest entry is the least recently used. */
  private final LinkedHashMap<Path, NDArray> rows = new LinkedHashMap<>(16, 0.75f, true);
  private long computed;
  private long peakBytes;

  /**
   * @param padToSquare LLaVA's pad mode (finetuning) instead of the plain processor (pretraining, eval)
   * @param budgetBytes most bytes of features kept; 0 keeps none beyond one call
   */
  public FeatureCache(LoadedModel model, boolean padToSquare, long budgetBytes) {
    this.model = model;
    this.padToSquare = padToSquare;
    this.tower = new VisionTower(model.vision());
    this.budgetBytes = budgetBytes;
    VisionConfig v = model.vision();
    this.rowBytes = 4L * v.patches() * v.hiddenSize();
  }

  /**
   * [images.size(), patches, dClip] in the order given; each missing image is computed once per call. The
   * result is a new array: close it, or call this inside an NDScope.
   */
  public NDArray features(List<Path> images) {
    VisionConfig v = model.vision();
    if (images.isEmpty()) return manager.zeros(new Shape(0, v.patches(), v.hiddenSize()));
    Map<Path, NDArray> found = new HashMap<>();
    List<Path> missing = new ArrayList<>();
    for (Path p : new LinkedHashSet<>(images)) {
      NDArray row = rows.get(p);
      if (row != null) found.put(p, row);
      else missing.add(p);
    }
    List<NDArray> fresh = new ArrayList<>(); // computed for this call, beyond what the cache may keep
    for (int start = 0; start < missing.size(); start += BATCH) {
      List<Path> batch = missing.subList(start, Math.min(missing.size(), start + BATCH));
      List<NDArray> computedRows = compute(batch);
      for (int i = 0; i < batch.size(); i++) {
        found.put(batch.get(i), computedRows.get(i));
        fresh.add(computedRows.get(i));
      }
    }
    NDList list = new NDList();
    for (Path p : images) list.add(found.get(p));
    NDArray out = NDArrays.stack(list);
    peakBytes = Math.max(peakBytes, (long) (rows.size() + fresh.size()) * rowBytes);
    for (int i = 0; i < missing.size(); i++) keep(missing.get(i), fresh.get(i));
    return out;
  }

  /** Caches a computed row, evicting the least recently used beyond the budget (the new row included). */
  private void keep(Path p, NDArray row) {
    rows.put(p, row);
    var it = rows.entrySet().iterator();
    while ((long) rows.size() * rowBytes > budgetBytes && it.hasNext()) {
      it.next().getValue().close();
      it.remove();
    }
  }

  private List<NDArray> compute(List<Path> batch) {
    VisionConfig v = model.vision();
    int size = 3 * v.imageSize() * v.imageSize();
    float[] pixels = new float[batch.size() * size];
    for (int i = 0; i < batch.size(); i++) System.arraycopy(ImageProcessor.load(batch.get(i), v, padToSquare), 0, pixels, i * size, size);
    List<NDArray> out = new ArrayList<>();
    try (NDScope scope = new NDScope()) {
      NDArray x = manager.create(pixels, new Shape(batch.size(), 3, v.imageSize(), v.imageSize())); // [B, 3, S, S]
      NDArray f = tower.features(model.visionWeights(), x); // [B, patches, dClip]
      for (int i = 0; i < batch.size(); i++) {
        NDArray row = f.get(i).duplicate(); // [patches, dClip]
        NDScope.unregister(row);
        row.attach(manager);
        out.add(row);
      }
    }
    computed += batch.size();
    return out;
  }

  /** Images run through the vision tower so far (a recomputed one counts again). */
  public long computed() {
    return computed;
  }

  /** Most bytes of feature rows held at once, cached and in flight. */
  public long peakBytes() {
    return peakBytes;
  }

  @Override
  public void close() {
    rows.clear();
    manager.close();
  }
}
