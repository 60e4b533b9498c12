package org.mapd.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mapd.images.ImageDecoder;
import org.mapd.images.Rgb;

class ImageBenchTest {
  @Test
  void syntheticJpegsPassBothChecksAndTheRatesArePrinted(@TempDir Path dir) throws Exception {
    List<Path> files = ImageBench.synthetic(dir, 2, 1);
    Rgb img = ImageDecoder.decode(files.get(0));
    assertEquals(ImageBench.WIDTH, img.width());
    assertEquals(ImageBench.HEIGHT, img.height());
    StringWriter text = new StringWriter();
    ImageBench.run(files, 0.01, new PrintWriter(text));
    String out = text.toString();
    assertTrue(out.contains("structure check (default)") && out.contains("full decode"), out);
    assertEquals(3, out.lines().filter(l -> l.contains("images/s") && l.endsWith(" 0 refused")).count(), out);
  }
}
