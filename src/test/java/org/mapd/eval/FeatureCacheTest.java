package org.mapd.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mapd.model.LoadedModel;
import org.mapd.model.MapperConfig;
import org.mapd.train.FeatureCache;

/** The feature cache holds at most its budget, however many images a stage sees. */
class FeatureCacheTest {
  @Test
  void tenTimesMoreImagesDoNotRaiseThePeak(@TempDir Path dir) throws Exception {
    TinyRun run = TinyRun.create(dir, "tiny", 1, 1, 1, 2);
    List<Path> images = new ArrayList<>();
    Random r = new Random(1);
    for (int i = 0; i < 200; i++) {
      BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
      for (int y = 0; y < 32; y++) for (int x = 0; x < 32; x++) img.setRGB(x, y, r.nextInt(1 << 24));
      Path p = dir.resolve("img/" + i + ".png");
      Files.createDirectories(p.getParent());
      ImageIO.write(img, "png", p.toFile());
      images.add(p);
    }
    try (NDManager m = NDManager.newBaseManager();
        LoadedModel model = LoadedModel.load(run.backbones, new MapperConfig(8, 32, 64), m)) {
      long row = 4L * model.vision().patches() * model.vision().hiddenSize();
      long budget = 6 * row;
      long[] peaks = new long[2];
      float[] first = null;
      for (int n : new int[] {20, 200}) {
        try (FeatureCache cache = new FeatureCache(model, false, budget)) {
          for (int pass = 0; pass < 2; pass++) {
            for (int i = 0; i < n; i += 4) {
              try (NDScope scope = new NDScope()) {
                float[] f = cache.features(images.subList(i, i + 4)).get(0).toFloatArray();
                if (i == 0 && first == null) first = f;
                else if (i == 0) assertArrayEquals(first, f, 0f, "a recomputed feature equals the first computation");
              }
            }
          }
          assertEquals(2L * n, cache.computed(), "beyond the budget every image is recomputed on the second pass");
          peaks[n == 20 ? 0 : 1] = cache.peakBytes();
        }
      }
      assertEquals(peaks[0], peaks[1], "ten times more images, same peak");
      assertTrue(peaks[1] <= budget + 4 * row, "peak " + peaks[1] + " within the budget plus one call's rows");

      try (FeatureCache cache = new FeatureCache(model, false, 100 * row)) {
        for (int pass = 0; pass < 2; pass++) {
          try (NDScope scope = new NDScope()) {
            cache.features(images.subList(0, 20));
          }
        }
        assertEquals(20, cache.computed(), "within the budget each image is computed once");
      }
    }
  }
}
