package org.mapd.model.parity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.Map;
import org.mapd.model.Safetensors;

/** The folders written by tools/make_parity_fixtures.py (transformers' save_pretrained + its outputs). */
final class Fixtures {
  /** F32 parity bound for logits and hidden states (method: max abs error over every element). */
  static final double F32_TOLERANCE = 1e-4;
  /** The Qwen tokenizer lives with the paper conf (the rehearsal needs it too); tests run from the repository root. */
  static final Path QWEN_TOKENIZER = Path.of("conf/paper/llm/tokenizer.json");

  private Fixtures() {}

  static Path dir(String name) {
    URL url = Fixtures.class.getResource("/parity/" + name);
    assertNotNull(url, "fixture folder parity/" + name + " is missing (run tools/make_parity_fixtures.py)");
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** transformers' outputs for the model in {@code dir}. */
  static Map<String, NDArray> expected(NDManager manager, Path dir) {
    return Safetensors.load(manager, dir.resolve("expected.safetensors"));
  }

  static NDArray get(Map<String, NDArray> tensors, String name) {
    NDArray a = tensors.get(name);
    assertNotNull(a, "expected.safetensors lacks " + name);
    return a;
  }

  static int[] ints(NDArray a) {
    long[] l = a.toType(ai.djl.ndarray.types.DataType.INT64, false).toLongArray();
    int[] out = new int[l.length];
    for (int i = 0; i < l.length; i++) out[i] = Math.toIntExact(l[i]);
    return out;
  }

  /** Max |a - b| after checking the shapes agree. */
  static double maxAbsDiff(NDArray expected, NDArray actual) {
    assertArrayEquals(expected.getShape().getShape(), actual.getShape().getShape(), "shape");
    float[] e = expected.toFloatArray();
    float[] a = actual.toFloatArray();
    double max = 0;
    for (int i = 0; i < e.length; i++) {
      double d = Math.abs((double) e[i] - a[i]);
      if (Double.isNaN(d)) return Double.NaN; // fails every bound
      max = Math.max(max, d);
    }
    return max;
  }

  /** Asserts max abs error within {@code tolerance}, prints it for the record, and returns it. */
  static double assertClose(String what, NDArray expected, NDArray actual, double tolerance) {
    double err = maxAbsDiff(expected, actual);
    System.out.printf("parity %-48s max abs err %.3e (bound %.0e)%n", what, err, tolerance);
    assertTrue(err <= tolerance, what + ": max abs error " + err + " > " + tolerance);
    return err;
  }
}
