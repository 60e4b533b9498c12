package org.mapd.pipelines;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.ColumnPath;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mapd.Json;
import org.xerial.snappy.Snappy;

/**
 * Parquet fixtures written by arrow-rs (tools/onevision/make-fixtures.mjs), converted and compared byte for
 * byte with the output that script says they must give: null image, image struct without bytes, empty and
 * null conversations, a turn without value, ids with a slash, "..", none at all, paths with directories, "..",
 * backslashes and spaces, a name clash with other bytes and with the same bytes, data pages v1 and v2, snappy,
 * gzip and uncompressed, dictionary and plain encodings, several row groups and several pages per chunk.
 */
class OneVisionTest {
  private static final Path FIXTURES = Path.of("src/test/resources/onevision");
  private static final Path INPUT = FIXTURES.resolve("input");
  private static final Path EXPECTED = FIXTURES.resolve("expected/LLaVA-OneVision");

  @Test
  void convertsEveryRowToTheExpectedRecordsAndImages(@TempDir Path out) throws IOException {
    OneVision.Result r = OneVision.convert(INPUT, out);

    assertEquals(List.of(
        new OneVision.Subset("geo170k(qa)", 2, 8, 6, List.of()),
        new OneVision.Subset("mavis_math_metagen", 1, 9, 8, List.of()),
        new OneVision.Subset("tabmwp(cauldron)", 1, 2, 2, List.of())), r.subsets());
    assertEquals(List.of(), r.notes());
    for (String subset : List.of("geo170k(qa)", "mavis_math_metagen", "tabmwp(cauldron)")) {
      assertSameTree(EXPECTED.resolve(subset), out.resolve("LLaVA-OneVision").resolve(subset));
    }
  }

  @Test
  void aTruncatedFileIsNamedAndTheOthersAreStillRead(@TempDir Path tmp) throws IOException {
    Path in = copyInput(tmp);
    Path broken = in.resolve("LLaVA-OneVision/geo170k(qa)/train-00001-of-00002.parquet");
    try (RandomAccessFile f = new RandomAccessFile(broken.toFile(), "rw")) {
      f.setLength(f.length() / 2);
    }
    OneVision.Result r = OneVision.convert(in, tmp.resolve("out"));

    OneVision.Subset geo = r.subsets().get(0);
    assertEquals(1, geo.failures().size());
    OneVisionParquet.Failure f = geo.failures().get(0);
    assertEquals("geo170k(qa)/train-00001-of-00002.parquet", f.file());
    assertEquals(-1, f.rowGroup());
    assertTrue(f.message().startsWith("unreadable parquet footer"), f.message());
    assertEquals(5, geo.rows());
    assertEquals(List.of("9177_13", "9177_14", "9180_2", "9181_0", "9182_1"),
        ids(tmp.resolve("out/LLaVA-OneVision/geo170k(qa)/geo170k(qa).json")));
    assertEquals(9 + 2, r.rows() - geo.rows());
  }

  @Test
  void aCorruptRowGroupCostsOnlyItsRows(@TempDir Path tmp) throws IOException {
    Path in = copyInput(tmp);
    Path file = in.resolve("LLaVA-OneVision/mavis_math_metagen/train-00000-of-00001.parquet");
    try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
      assertEquals(List.of(4L, 4L, 1L), reader.getRowGroups().stream().map(b -> b.getRowCount()).toList());
    }
    zero(file, 1, 0, 0, 8); // the first page header of row group 1 becomes thrift STOP bytes: required fields missing
    OneVision.Result r = OneVision.convert(in, tmp.resolve("out"));

    OneVision.Subset mavis = r.subsets().get(1);
    assertEquals(1, mavis.failures().size(), r.notes().toString());
    OneVisionParquet.Failure f = mavis.failures().get(0);
    assertEquals("mavis_math_metagen/train-00000-of-00001.parquet", f.file());
    assertEquals(1, f.rowGroup());
    assertEquals(4, f.rowsLost());
    assertEquals(4, r.rowsLost());
    assertEquals(5, mavis.rows());
    List<String> ids = ids(tmp.resolve("out/LLaVA-OneVision/mavis_math_metagen/mavis_math_metagen.json"));
    assertEquals(List.of("mavis/geo/12", "mavis_1", "mavis_2", "mavis_3", "mavis_8"), ids);
    assertTrue(r.notes().get(0).startsWith("mavis_math_metagen/train-00000-of-00001.parquet row group 1: "), r.notes().get(0));
    assertTrue(r.notes().get(0).endsWith("(4 rows not read)"), r.notes().get(0));
  }

  @Test
  void aBadPageFoundWhileReadingRowsCostsTheRestOfItsRowGroup(@TempDir Path tmp) throws IOException {
    Path in = copyInput(tmp);
    // Uncompressed plain pages are decoded row by row: zeroed level bytes of the value column break row 0.
    zero(in.resolve("LLaVA-OneVision/tabmwp(cauldron)/train-00000-of-00001.parquet"), 0, 4, 20, 4);
    OneVision.Result r = OneVision.convert(in, tmp.resolve("out"));

    OneVision.Subset tab = r.subsets().get(2);
    assertEquals(0, tab.rows());
    assertEquals(1, tab.failures().size());
    OneVisionParquet.Failure f = tab.failures().get(0);
    assertEquals(0, f.rowGroup());
    assertEquals(2, f.rowsLost());
    assertTrue(f.message().startsWith("row 0: "), f.message());
    assertEquals(8 + 9, r.rows());
  }

  @Test
  void aFileWithAnotherSchemaFailsAsAWholeWithItsRowCount(@TempDir Path out) throws IOException {
    OneVision.Result r = OneVision.convert(FIXTURES.resolve("bad"), out);

    OneVision.Subset tab = r.subsets().get(0);
    assertEquals(0, tab.rows());
    OneVisionParquet.Failure f = tab.failures().get(0);
    assertEquals(new OneVisionParquet.Failure("tabmwp(cauldron)/train-00000-of-00001.parquet", -1, 2, f.message()), f);
    assertTrue(f.message().startsWith("column conversations has an unexpected shape: optional binary conversations"),
        f.message());
    assertEquals(2, r.rowsLost());
    assertEquals(0, Json.MAPPER.readTree(out.resolve("LLaVA-OneVision/tabmwp(cauldron)/tabmwp(cauldron).json").toFile()).size());
  }

  @Test
  void aSecondRunIntoTheSameFolderWritesTheSameOutput(@TempDir Path out) throws IOException {
    OneVision.Result first = OneVision.convert(INPUT, out);
    Map<String, byte[]> before = files(out);
    OneVision.Result second = OneVision.convert(INPUT, out);

    assertEquals(first, second);
    Map<String, byte[]> after = files(out);
    assertEquals(before.keySet(), after.keySet());
    before.forEach((name, bytes) -> assertArrayEquals(bytes, after.get(name), name));
  }

  /**
   * PrepareData converts the parquet subsets itself, and the output is what split_rules.json reads: every
   * record is found, geo170k is split by instruction, and rows of an unreadable row group are counted as read
   * and rejected, so the summary still reconciles.
   */
  @Test
  void prepareDataReadsTheParquetSubsets(@TempDir Path tmp) throws IOException {
    Path in = copyInput(tmp);
    PrepareSummary s = PrepareData.run(PrepareDataTest.options("direct", in, tmp.resolve("out")));

    assertEquals(19, s.read());
    Map<String, Long> oneVision = new TreeMap<>(s.datasets());
    oneVision.keySet().retainAll(List.of("basic_qa_geo170k", "reasoning_qa_geo170k", "mavis_math_metagen", "tabmwp_cauldron"));
    assertEquals(Map.of("basic_qa_geo170k", 4L, "reasoning_qa_geo170k", 3L, "mavis_math_metagen", 5L, "tabmwp_cauldron", 2L),
        oneVision);
    // null image, image without bytes, no conversations, empty conversations, a turn without value
    assertEquals(5, s.rejected().values().stream().mapToLong(Long::longValue).sum());
    assertTrue(s.notes().contains("LLaVA-OneVision mavis_math_metagen: 9 rows of 1 parquet files converted, 8 image files"),
        s.notes().toString());

    zero(in.resolve("LLaVA-OneVision/mavis_math_metagen/train-00000-of-00001.parquet"), 1, 0, 0, 8);
    PrepareSummary damaged = PrepareData.run(PrepareDataTest.options("direct", in, tmp.resolve("out")));
    assertEquals(19, damaged.read());
    assertEquals(2, damaged.datasets().get("mavis_math_metagen")); // of the 5 rows in row groups 0 and 2
    assertEquals(4, damaged.rejected().get(PrepareData.UNREADABLE_PARQUET));
    assertTrue(damaged.notes().stream().anyMatch(n -> n.startsWith("mavis_math_metagen/train-00000-of-00001.parquet row group 1: ")),
        damaged.notes().toString());
  }

  /** Footer entries that point past the end of the file or claim absurd sizes fail their row group, named. */
  @Test
  void aFooterThatLiesAboutSizesIsRefusedBeforeAnyAllocation() {
    BlockMetaData group = new BlockMetaData();
    group.addColumn(ColumnChunkMetaData.get(ColumnPath.get("image", "bytes"), PrimitiveTypeName.BINARY,
        CompressionCodecName.SNAPPY, Set.of(Encoding.PLAIN), 4, 0, 10, 100, 200));
    assertNull(OneVisionParquet.footerLie(group, 104));
    assertEquals("column [image, bytes] claims bytes [4, 104) of a 103-byte file", OneVisionParquet.footerLie(group, 103));
    BlockMetaData huge = new BlockMetaData();
    huge.addColumn(ColumnChunkMetaData.get(ColumnPath.get("id"), PrimitiveTypeName.BINARY,
        CompressionCodecName.SNAPPY, Set.of(Encoding.PLAIN), 4, 0, 10, 100, 1L << 40));
    assertEquals("column [id] claims 1099511627776 uncompressed bytes", OneVisionParquet.footerLie(huge, 1000));
  }

  /** Child JVM of the test below: reads one file and prints each failure. */
  public static void main(String[] args) throws IOException {
    long[] rows = {0};
    for (OneVisionParquet.Failure f : OneVisionParquet.read(Path.of(args[0]), "huge.parquet", row -> rows[0]++)) {
      System.out.println("FAILURE " + f.note());
    }
    System.out.println("ROWS " + rows[0]);
  }

  @Test
  void aPageClaimingMoreMemoryThanTheJvmHasCostsOnlyItsRowGroup(@TempDir Path tmp) throws Exception {
    // two row groups of one row each; the first one's snappy page claims 512 MB uncompressed
    Path file = tmp.resolve("huge.parquet");
    MessageType schema = Types.buildMessage().required(PrimitiveTypeName.BINARY).named("id").named("schema");
    ColumnDescriptor id = schema.getColumns().get(0);
    ParquetFileWriter w = new ParquetFileWriter(new LocalOutputFile(file), schema, ParquetFileWriter.Mode.CREATE, 1 << 20, 0);
    w.start();
    for (int claim : new int[] {512 << 20, 5}) {
      byte[] plain = {1, 0, 0, 0, 'a'}; // PLAIN binary: length, bytes
      w.startBlock(1);
      w.startColumn(id, 1, CompressionCodecName.SNAPPY);
      w.writeDataPage(1, claim, BytesInput.from(Snappy.compress(plain)), Statistics.createStats(id.getPrimitiveType()), 1,
          Encoding.BIT_PACKED, Encoding.BIT_PACKED, Encoding.PLAIN);
      w.endColumn();
      w.endBlock();
    }
    w.end(Map.of());
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(javaBin, "-Xmx64m", "-cp", System.getProperty("java.class.path"), OneVisionTest.class.getName(),
        file.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    List<String> failures = out.lines().filter(l -> l.startsWith("FAILURE ")).toList();
    assertEquals(1, failures.size(), out);
    assertEquals("FAILURE huge.parquet row group 0: a page claims more memory than the JVM has: Java heap space"
        + " (1 rows not read)", failures.get(0), out);
    assertTrue(out.lines().anyMatch(l -> l.equals("ROWS 1")), "the next row group is still read: " + out);
  }

  @Test
  void namesAreSafeAndFormatsAreSniffed() {
    assertEquals("evil.png", OneVisionImages.safe(OneVisionImages.baseName("../../etc/evil.png")));
    assertEquals("_..", OneVisionImages.safe(".."));
    assertEquals("a_b_c.jpg", OneVisionImages.safe("a/b\\c.jpg"));
    assertEquals("", OneVisionImages.baseName("dir/"));
    assertEquals(200, OneVisionImages.safe("x".repeat(300) + ".png").length());
    assertTrue(OneVisionImages.safe("x".repeat(300) + ".png").endsWith(".png"));
    assertEquals(".gif", OneVisionImages.extension("GIF89a".getBytes()));
    assertEquals(".webp", OneVisionImages.extension("RIFF\0\0\0\0WEBPVP8 ".getBytes()));
    assertEquals(".bin", OneVisionImages.extension(new byte[] {1, 2}));
  }

  private static void assertSameTree(Path expected, Path actual) throws IOException {
    Map<String, byte[]> want = files(expected);
    Map<String, byte[]> got = files(actual);
    assertEquals(want.keySet(), got.keySet(), actual.toString());
    for (var e : want.entrySet()) {
      if (e.getKey().endsWith(".json")) {
        assertEquals(Json.MAPPER.readTree(e.getValue()), Json.MAPPER.readTree(got.get(e.getKey())), e.getKey());
      } else {
        assertArrayEquals(e.getValue(), got.get(e.getKey()), e.getKey());
      }
    }
  }

  private static Map<String, byte[]> files(Path root) throws IOException {
    Map<String, byte[]> files = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) files.put(root.relativize(p).toString(), Files.readAllBytes(p));
    }
    return files;
  }

  private static List<String> ids(Path json) throws IOException {
    List<String> ids = new ArrayList<>();
    for (JsonNode record : Json.MAPPER.readTree(json.toFile())) ids.add(record.path("id").asText(null));
    return ids;
  }

  /** Overwrites n bytes at offset from the start of a column chunk of a row group with zeros. */
  private static void zero(Path file, int rowGroup, int column, long offset, int n) throws IOException {
    long start;
    try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
      start = reader.getRowGroups().get(rowGroup).getColumns().get(column).getStartingPos();
    }
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(start + offset);
      f.write(new byte[n]);
    }
  }

  private static Path copyInput(Path tmp) throws IOException {
    Path in = tmp.resolve("in");
    try (Stream<Path> s = Files.walk(INPUT)) {
      for (Path p : s.toList()) {
        Path target = in.resolve(INPUT.relativize(p).toString());
        if (Files.isDirectory(p)) Files.createDirectories(target);
        else Files.copy(p, target);
      }
    }
    return in;
  }
}
