package org.mapd.pipelines;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.util.VarInt;

/**
 * The unit of Beam work: consecutive elements of one source file, up to 16k records, so that Beam's
 * per-element cost is paid per range and not per record. Element i of the range is the file's element
 * {@code firstIndex + i}, bytes [starts[i], ends[i]).
 *
 * @param order the source's position in the run (orders shards and rejects)
 * @param damaged range-relative element index -> why the scan found it broken
 */
record Range(String source, int order, String file, long firstIndex, long[] starts, long[] ends,
    Map<Integer, String> damaged) {

  /**
   * Records and bytes per range: large enough that Beam's per-bundle cost (the DirectRunner translates and
   * re-serializes the DoFn for every bundle) stays small, small enough to spread over the workers (~60 ranges
   * for the 1 GB mix).
   */
  static final int MAX_RECORDS = 16384;
  static final long MAX_BYTES = 16L << 20;

  int size() { return starts.length; }

  /** Cuts a scanned file into ranges. */
  static List<Range> cut(String source, int order, String file, ReadJsonArray.Elements e) {
    List<Range> ranges = new ArrayList<>();
    int from = 0;
    while (from < e.size()) {
      int to = from + 1;
      while (to < e.size() && to - from < MAX_RECORDS && e.ends()[to] - e.starts()[from] <= MAX_BYTES) to++;
      Map<Integer, String> damaged = new TreeMap<>();
      for (int i = from; i < to; i++) {
        String why = e.damaged().get(i);
        if (why != null) damaged.put(i - from, why);
      }
      ranges.add(new Range(source, order, file, from, java.util.Arrays.copyOfRange(e.starts(), from, to),
          java.util.Arrays.copyOfRange(e.ends(), from, to), damaged));
      from = to;
    }
    return ranges;
  }

  /** Compact: offsets as variable-length deltas, no Java serialization. */
  static final class Coder extends CustomCoder<Range> {
    static final Coder INSTANCE = new Coder();

    @Override
    public void encode(Range r, OutputStream out) throws IOException {
      DataOutputStream d = new DataOutputStream(out);
      d.writeUTF(r.source());
      d.writeUTF(r.file());
      VarInt.encode(r.order(), d);
      VarInt.encode(r.firstIndex(), d);
      VarInt.encode(r.size(), d);
      long last = 0;
      for (int i = 0; i < r.size(); i++) {
        VarInt.encode(r.starts()[i] - last, d);
        VarInt.encode(r.ends()[i] - r.starts()[i], d);
        last = r.ends()[i];
      }
      VarInt.encode(r.damaged().size(), d);
      for (Map.Entry<Integer, String> x : r.damaged().entrySet()) {
        VarInt.encode(x.getKey(), d);
        d.writeUTF(x.getValue().length() > 1000 ? x.getValue().substring(0, 1000) : x.getValue());
      }
      d.flush();
    }

    @Override
    public Range decode(InputStream in) throws IOException {
      DataInputStream d = new DataInputStream(in);
      String source = d.readUTF(), file = d.readUTF();
      int order = VarInt.decodeInt(d);
      long firstIndex = VarInt.decodeLong(d);
      int n = VarInt.decodeInt(d);
      long[] starts = new long[n], ends = new long[n];
      long last = 0;
      for (int i = 0; i < n; i++) {
        starts[i] = last + VarInt.decodeLong(d);
        ends[i] = starts[i] + VarInt.decodeLong(d);
        last = ends[i];
      }
      Map<Integer, String> damaged = new TreeMap<>();
      for (int k = VarInt.decodeInt(d); k > 0; k--) damaged.put(VarInt.decodeInt(d), d.readUTF());
      return new Range(source, order, file, firstIndex, starts, ends, damaged);
    }

    @Override
    public void verifyDeterministic() {}
  }
}
