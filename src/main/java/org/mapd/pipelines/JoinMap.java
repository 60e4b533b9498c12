package org.mapd.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.mapd.data.LlavaRecord;

/**
 * The look-up that tells conv/detail/complex (Instruct-150K files) and okvqa (OK-VQA questions) apart:
 * join key -> dataset. Built once by a plain streaming read before the pipeline and handed to the workers
 * as a file, not as a Beam side input: the DirectRunner rebuilds a side-input map for every bundle.
 */
public final class JoinMap {
  private JoinMap() {}

  /**
   * @param instruct dataset -> Instruct-150K file (the ones that exist)
   * @param okvqa the OK-VQA question file, or null
   */
  public static Map<String, String> build(Map<String, Path> instruct, Path okvqa, String okvqaDataset) {
    Map<String, String> joins = new HashMap<>();
    for (Map.Entry<String, Path> f : instruct.entrySet()) {
      ReadJsonArray.Elements e = ReadJsonArray.scan(f.getValue());
      byte[] buf = new byte[0];
      try (var ch = java.nio.channels.FileChannel.open(f.getValue())) {
        for (int i = 0; i < e.size(); i++) {
          if (e.damaged().containsKey(i)) continue; // a broken 150K record only means its mix twin is not matched
          int len = (int) (e.ends()[i] - e.starts()[i]);
          if (buf.length < len) buf = new byte[Math.max(len, 2 * buf.length)];
          ReadJsonArray.read(ch, e.starts()[i], buf, len);
          try {
            LlavaRecord r = Checks.parse(buf, 0, len, null);
            if (r.id() != null && !r.conversations().isEmpty()) {
              // an (id, question) in two files goes to the first dataset by name, whatever the file order
              joins.merge(Checks.instructKey(r.id(), r.conversations().get(0).value()), f.getKey(),
                  (a, c) -> a.compareTo(c) <= 0 ? a : c);
            }
          } catch (Checks.Rejected ignored) {
            // as above
          }
        }
      } catch (IOException x) {
        throw new UncheckedIOException("cannot read " + f.getValue(), x);
      }
    }
    if (okvqa != null) {
      try {
        for (JsonNode q : Checks.COMPACT.readTree(okvqa.toFile()).path("questions")) {
          joins.put(Checks.okvqaKey(q.path("image_id").asLong(), q.path("question").asText()), okvqaDataset);
        }
      } catch (IOException x) {
        throw new UncheckedIOException("cannot read " + okvqa, x);
      }
    }
    return joins;
  }

  /** Writes the map for the workers; a worker in this JVM (DirectRunner, Flink [local]) gets it without reading. */
  static void write(Path file, Map<String, String> joins) {
    try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16))) {
      for (Map.Entry<String, String> e : joins.entrySet()) {
        bytes(out, e.getKey());
        bytes(out, e.getValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
    synchronized (JoinMap.class) {
      loadedFile = file;
      loaded = joins;
    }
  }

  private static void bytes(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  /** The map last written or read in this JVM, and its file. */
  private static Path loadedFile;
  private static Map<String, String> loaded;

  /**
   * The map of a file, read once per JVM: runners deserialize a DoFn per thread (and per Flink task), and the map
   * must not be loaded that often. Holds only the latest file (each run writes a new one).
   */
  static synchronized Map<String, String> load(Path file) {
    if (!file.equals(loadedFile)) {
      loaded = read(file);
      loadedFile = file;
    }
    return loaded;
  }

  private static Map<String, String> read(Path file) {
    Map<String, String> joins = new HashMap<>();
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
      while (true) {
        int n;
        try {
          n = in.readInt();
        } catch (EOFException end) {
          return joins;
        }
        String key = new String(in.readNBytes(n), StandardCharsets.UTF_8);
        joins.put(key, new String(in.readNBytes(in.readInt()), StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}
