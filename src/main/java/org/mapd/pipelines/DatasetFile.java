package org.mapd.pipelines;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import org.mapd.Json;
import org.mapd.data.LlavaRecord;

/**
 * OUT/LLaVA-Instruct/Image_data/{ds}/{ds}_dataset.json, the authors' layout: a JSON array of LLaVA
 * records whose image paths are relative to {@link #imageRoot}.
 */
public final class DatasetFile {
  private DatasetFile() {}

  /**
   * The bytes around the records of a dataset file, one compact record a line: OPEN, NEW_LINE, record,
   * COMMA_NEW_LINE, record, ..., CLOSE (OPEN, CLOSE without records).
   */
  public static final byte[] OPEN = {'['}, NEW_LINE = {'\n'}, COMMA_NEW_LINE = {',', '\n'}, CLOSE = {'\n', ']', '\n'};

  /** The folder image paths of every dataset file are relative to. */
  public static Path imageRoot(Path out) {
    return out.resolve("LLaVA-Instruct").resolve("Image_data");
  }

  public static Path path(Path out, String dataset) {
    return imageRoot(out).resolve(dataset).resolve(dataset + "_dataset.json");
  }

  /** The accepted caption records of the pretraining stage. */
  public static Path pretrainPath(Path out) {
    return out.resolve("LLaVA-Pretrain").resolve("blip_laion_cc_sbu_558k.json");
  }

  public static List<LlavaRecord> read(Path file) {
    try {
      return Json.MAPPER.readValue(file.toFile(), new TypeReference<List<LlavaRecord>>() {});
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  public static List<LlavaRecord> read(Path out, String dataset) {
    return read(path(out, dataset));
  }
}
