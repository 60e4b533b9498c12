package org.mapd.pipelines;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.mapd.Dirs;
import org.mapd.Json;

/**
 * Turns the LLaVA-OneVision subsets as downloaded from HF ({@code DATASETS/LLaVA-OneVision/<subset>/*.parquet},
 * image bytes embedded) into the authors' layout that split_rules.json reads: {@code OUT/LLaVA-OneVision/
 * <subset>/<subset>.json}, one array of {@code {"id", "image": "<subset>/<file>", "conversations", "data_source"}},
 * and the images as files beside it. Files are streamed row group by row group and the JSON is written as it
 * goes, so memory holds one row group, never a file. Every row read becomes one record, however incomplete
 * (missing values are missing keys; the record checks downstream reject them with a reason); what cannot be
 * read at all is named in the result with its row count. Rerunning into the same OUT rewrites the same output.
 */
public final class OneVision {
  private OneVision() {}

  /**
   * One subset folder.
   *
   * @param files parquet files found
   * @param rows records written to the JSON
   * @param images image files written (rows with the same image share one file)
   * @param failures files or row groups that could not be read
   */
  public record Subset(String name, int files, long rows, long images, List<OneVisionParquet.Failure> failures) {}

  public record Result(List<Subset> subsets) {
    public long rows() { return subsets.stream().mapToLong(Subset::rows).sum(); }

    /** Rows known to be lost in failed row groups (files whose footer is unreadable are not counted). */
    public long rowsLost() {
      return subsets.stream().flatMap(s -> s.failures().stream()).mapToLong(f -> Math.max(0, f.rowsLost())).sum();
    }

    /** One line per failure, naming the file and row group. */
    public List<String> notes() {
      return subsets.stream().flatMap(s -> s.failures().stream()).map(OneVisionParquet.Failure::note).toList();
    }
  }

  /** Converts every subset folder of {@code datasets/LLaVA-OneVision} that holds parquet files. */
  public static Result convert(Path datasets, Path out) throws IOException {
    Path in = datasets.resolve("LLaVA-OneVision");
    List<Subset> subsets = new ArrayList<>();
    for (Path dir : sorted(in, Files::isDirectory)) {
      List<Path> files = sorted(dir, f -> f.getFileName().toString().endsWith(".parquet") && Files.isRegularFile(f));
      if (!files.isEmpty()) {
        subsets.add(convert(dir.getFileName().toString(), files, out.resolve("LLaVA-OneVision")));
      }
    }
    return new Result(List.copyOf(subsets));
  }

  private static Subset convert(String subset, List<Path> files, Path root) throws IOException {
    Path dir = root.resolve(subset);
    Files.createDirectories(dir);
    String jsonName = subset + ".json";
    List<String> reserved = new ArrayList<>(List.of(jsonName));
    files.forEach(f -> reserved.add(f.getFileName().toString()));
    OneVisionImages images = new OneVisionImages(dir, reserved);
    List<OneVisionParquet.Failure> failures = new ArrayList<>();
    long[] rows = {0};
    Dirs.writeAtomic(dir.resolve(jsonName), tmp -> {
      try (JsonGenerator json = Json.MAPPER.getFactory().createGenerator(tmp.toFile(), JsonEncoding.UTF8)) {
        json.useDefaultPrettyPrinter();
        json.writeStartArray();
        for (Path file : files) {
          String name = file.getFileName().toString();
          String stem = name.substring(0, name.length() - ".parquet".length());
          failures.addAll(OneVisionParquet.read(file, subset + "/" + name, row -> {
            writeRecord(json, row, subset, images.write(row, stem));
            rows[0]++;
          }));
        }
        json.writeEndArray();
      }
    });
    return new Subset(subset, files.size(), rows[0], images.written(), List.copyOf(failures));
  }

  /** The authors' record; a null value is left out, so the checks see a missing key. */
  private static void writeRecord(JsonGenerator json, OneVisionRow row, String subset, String image) throws IOException {
    json.writeStartObject();
    if (row.id() != null) json.writeStringField("id", row.id());
    if (image != null) json.writeStringField("image", subset + "/" + image);
    if (row.conversations() != null) {
      json.writeArrayFieldStart("conversations");
      for (OneVisionRow.Turn t : row.conversations()) {
        json.writeStartObject();
        if (t.from() != null) json.writeStringField("from", t.from());
        if (t.value() != null) json.writeStringField("value", t.value());
        json.writeEndObject();
      }
      json.writeEndArray();
    }
    if (row.dataSource() != null) json.writeStringField("data_source", row.dataSource());
    json.writeEndObject();
  }

  private static List<Path> sorted(Path dir, java.util.function.Predicate<Path> keep) throws IOException {
    if (!Files.isDirectory(dir)) return List.of();
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(keep).sorted().toList();
    }
  }
}
