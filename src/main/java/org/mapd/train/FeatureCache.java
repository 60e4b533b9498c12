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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.mapd.model.ImageProcessor;
import org.mapd.model.LoadedModel;
import org.mapd.model.VisionConfig;
import org.mapd.model.VisionTower;

/**
 * Frozen vision features computed once per image file, so training and evaluation never run the vision
 * tower twice on an image. The cached rows belong to the cache's own manager.
 */
public final class FeatureCache implements AutoCloseable {
  private static final int BATCH = 32;

  private final LoadedModel model;
  private final boolean padToSquare;
  private final VisionTower tower;
  private final NDManager manager = NDManager.newBaseManager();
  private final Map<Path, NDArray> rows = new HashMap<>();

  /** @param padToSquare LLaVA's pad mode (finetuning) instead of the plain processor (pretraining, eval) */
  public FeatureCache(LoadedModel model, boolean padToSquare) {
    this.model = model;
    this.padToSquare = padToSquare;
    this.tower = new VisionTower(model.vision());
  }

  /**
   * [images.size(), patches, dClip] in the order given; computed once per path, then cached. The result
   * is a new array: close it, or call this inside an NDScope.
   */
  public NDArray features(List<Path> images) {
    List<Path> missing = new ArrayList<>(new LinkedHashSet<>(images));
    missing.removeIf(rows::containsKey);
    for (int start = 0; start < missing.size(); start += BATCH) compute(missing.subList(start, Math.min(missing.size(), start + BATCH)));
    NDList list = new NDList();
    for (Path p : images) list.add(rows.get(p));
    if (list.isEmpty()) {
      VisionConfig v = model.vision();
      return manager.zeros(new Shape(0, v.patches(), v.hiddenSize()));
    }
    return NDArrays.stack(list);
  }

  private void compute(List<Path> batch) {
    VisionConfig v = model.vision();
    int size = 3 * v.imageSize() * v.imageSize();
    float[] pixels = new float[batch.size() * size];
    for (int i = 0; i < batch.size(); i++) System.arraycopy(ImageProcessor.load(batch.get(i), v, padToSquare), 0, pixels, i * size, size);
    try (NDScope scope = new NDScope()) {
      NDArray x = manager.create(pixels, new Shape(batch.size(), 3, v.imageSize(), v.imageSize())); // [B, 3, S, S]
      NDArray f = tower.features(model.visionWeights(), x); // [B, patches, dClip]
      for (int i = 0; i < batch.size(); i++) {
        NDArray row = f.get(i).duplicate(); // [patches, dClip]
        NDScope.unregister(row);
        row.attach(manager);
        rows.put(batch.get(i), row);
      }
    }
  }

  @Override
  public void close() {
    rows.clear();
    manager.close();
  }
}
