package org.mapd.pipelines;

import java.util.List;

/**
 * One row of a LLaVA-OneVision parquet file as HF datasets wrote it. Every field may be null: a missing value
 * is carried through to the JSON as a missing key so that the record checks reject it with a reason.
 *
 * @param rowInFile position of the row in its file, counted from 0; names the image of a row without id
 * @param imageBytes the encoded JPEG/PNG of the Image feature, null when the row has no image
 * @param imagePath the Image feature's path (often just the original file name), null when absent
 * @param conversations null when the column is null; an empty list when the row has no turns
 */
record OneVisionRow(long rowInFile, String id, byte[] imageBytes, String imagePath, List<Turn> conversations,
    String dataSource) {

  /** One turn; from and value may each be null. */
  record Turn(String from, String value) {}
}
