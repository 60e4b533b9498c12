package org.mapd.pipelines;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.MessageColumnIO;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;

/**
 * Reads the rows of one LLaVA-OneVision parquet file (the HF datasets layout: {@code id} string, {@code image}
 * struct{bytes, path}, {@code conversations} list&lt;struct{from, value}&gt;, {@code data_source} string) with
 * parquet-java, one row group in memory at a time (HF writes image datasets in row groups of about 100 rows).
 * Only those four columns are read. A row group that cannot be decoded is reported with the number of rows it
 * held and the next one is read: a bad page costs its row group, not the file, and never a silent loss.
 */
final class OneVisionParquet {
  private OneVisionParquet() {}

  /** Receives rows; its IOException (writing the output) is not an input failure and propagates. */
  interface RowSink {
    void accept(OneVisionRow row) throws IOException;
  }

  /**
   * A part of a file that was not read.
   *
   * @param file the file, named relative to the LLaVA-OneVision folder
   * @param rowGroup the row group, or -1 for the whole file
   * @param rowsLost rows not read, or -1 when unknown (the footer itself is unreadable)
   */
  record Failure(String file, int rowGroup, long rowsLost, String message) {
    String note() {
      return file + (rowGroup < 0 ? "" : " row group " + rowGroup) + ": " + message
          + (rowsLost < 0 ? " (row count unknown)" : " (" + rowsLost + " rows not read)");
    }
  }

  /** Passes every readable row of {@code file} to {@code sink}; returns what could not be read. */
  static List<Failure> read(Path file, String name, RowSink sink) throws IOException {
    ParquetFileReader reader;
    try {
      reader = ParquetFileReader.open(new LocalInputFile(file));
    } catch (IOException | RuntimeException e) {
      return List.of(new Failure(name, -1, -1, "unreadable parquet footer: " + message(e)));
    }
    List<Failure> failures = new ArrayList<>();
    try (reader) {
      List<BlockMetaData> groups = reader.getRowGroups();
      MessageType schema = reader.getFooter().getFileMetaData().getSchema();
      MessageType wanted;
      try {
        wanted = project(schema);
      } catch (IllegalArgumentException e) {
        long rows = groups.stream().mapToLong(BlockMetaData::getRowCount).sum();
        return List.of(new Failure(name, -1, rows, e.getMessage()));
      }
      reader.setRequestedSchema(wanted);
      MessageColumnIO io = new ColumnIOFactory().getColumnIO(wanted, schema);
      long first = 0; // index in the file of the row group's first row
      for (int g = 0; g < groups.size(); g++) {
        long rows = groups.get(g).getRowCount();
        RecordReader<Group> records = null;
        String lie = footerLie(groups.get(g), Files.size(file));
        if (lie != null) {
          failures.add(new Failure(name, g, rows, lie));
        } else {
          try {
            records = io.getRecordReader(reader.readRowGroup(g), new GroupRecordConverter(wanted));
          } catch (IOException | RuntimeException e) {
            failures.add(new Failure(name, g, rows, message(e)));
          } catch (OutOfMemoryError e) {
            // a page header claiming a huge size: that one allocation failed, nothing else was taken
            failures.add(new Failure(name, g, rows, "a page claims more memory than the JVM has: " + e.getMessage()));
          }
        }
        // Pages are decompressed as rows are read, so a bad page can also surface here, mid row group.
        for (long r = 0; records != null && r < rows; r++) {
          OneVisionRow row;
          try {
            row = row(records.read(), first + r);
          } catch (RuntimeException | OutOfMemoryError e) { // OOM: a page header claiming a huge size, see above
            failures.add(new Failure(name, g, rows - r, "row " + (first + r) + ": " + message(e)));
            break;
          }
          sink.accept(row);
        }
        first += rows;
      }
    }
    return failures;
  }

  /**
   * A column chunk whose footer entry points outside the file or claims more bytes than one buffer can
   * hold: parquet-java would trust it and allocate that much. Null when the row group looks sane.
   */
  static String footerLie(BlockMetaData group, long fileSize) {
    for (ColumnChunkMetaData c : group.getColumns()) {
      long start = c.getStartingPos();
      long end = start + c.getTotalSize();
      if (start < 0 || c.getTotalSize() < 0 || end > fileSize) {
        return "column " + c.getPath() + " claims bytes [" + start + ", " + end + ") of a " + fileSize + "-byte file";
      }
      if (c.getTotalUncompressedSize() > Integer.MAX_VALUE - 8 || c.getTotalUncompressedSize() < 0) {
        return "column " + c.getPath() + " claims " + c.getTotalUncompressedSize() + " uncompressed bytes";
      }
    }
    return null;
  }

  /** The four columns, each checked for the shape HF writes; a missing column reads as null in every row. */
  private static MessageType project(MessageType schema) {
    List<Type> keep = new ArrayList<>();
    for (String column : List.of("id", "image", "conversations", "data_source")) {
      if (!schema.containsField(column)) continue;
      Type t = schema.getType(column);
      boolean ok = switch (column) {
        case "id" -> t.isPrimitive();
        case "data_source" -> isText(t);
        case "image" -> !t.isPrimitive() && hasOnlyText(t.asGroupType(), "bytes", "path");
        default -> turnType(t) != null;
      };
      if (!ok) {
        throw new IllegalArgumentException("column " + column + " has an unexpected shape: "
            + t.toString().replaceAll("\\s+", " ").trim());
      }
      keep.add(t);
    }
    return new MessageType(schema.getName(), keep);
  }

  private static boolean isText(Type t) {
    return t.isPrimitive() && t.asPrimitiveType().getPrimitiveTypeName() == PrimitiveTypeName.BINARY;
  }

  private static boolean hasOnlyText(GroupType g, String... fields) {
    for (String f : fields) {
      if (g.containsField(f) && !isText(g.getType(f))) return false;
    }
    return true;
  }

  /**
   * The struct{from, value} of a conversations list, for the standard three-level list (LIST > repeated
   * group > element) and the older two-level form (LIST > repeated struct); null for anything else.
   */
  private static GroupType turnType(Type conversations) {
    if (conversations.isPrimitive() || conversations.asGroupType().getFieldCount() != 1) return null;
    Type repeated = conversations.asGroupType().getType(0);
    if (repeated.isPrimitive() || !repeated.isRepetition(Type.Repetition.REPEATED)) return null;
    GroupType turn = repeated.asGroupType();
    if (!turn.containsField("from") && !turn.containsField("value") && turn.getFieldCount() == 1
        && !turn.getType(0).isPrimitive()) {
      turn = turn.getType(0).asGroupType();
    }
    return hasOnlyText(turn, "from", "value") ? turn : null;
  }

  private static OneVisionRow row(Group g, long rowInFile) {
    String id = present(g, "id") ? g.getValueToString(g.getType().getFieldIndex("id"), 0) : null;
    byte[] bytes = null;
    String path = null;
    if (present(g, "image")) {
      Group image = g.getGroup("image", 0);
      bytes = present(image, "bytes") ? image.getBinary("bytes", 0).getBytes() : null;
      path = text(image, "path");
    }
    List<OneVisionRow.Turn> turns = null;
    if (present(g, "conversations")) {
      Group list = g.getGroup("conversations", 0);
      turns = new ArrayList<>();
      for (int i = 0; i < list.getFieldRepetitionCount(0); i++) {
        Group entry = list.getGroup(0, i);
        boolean twoLevel = entry.getType().containsField("from") || entry.getType().containsField("value");
        Group turn = twoLevel ? entry : entry.getFieldRepetitionCount(0) > 0 ? entry.getGroup(0, 0) : null;
        turns.add(turn == null ? new OneVisionRow.Turn(null, null)
            : new OneVisionRow.Turn(text(turn, "from"), text(turn, "value")));
      }
    }
    return new OneVisionRow(rowInFile, id, bytes, path, turns, text(g, "data_source"));
  }

  private static boolean present(Group g, String field) {
    return g.getType().containsField(field) && g.getFieldRepetitionCount(field) > 0;
  }

  private static String text(Group g, String field) {
    return present(g, field) ? g.getString(field, 0) : null;
  }

  /** The exception and, when it adds something, its cause: parquet-java often wraps the telling one. */
  private static String message(Throwable e) {
    String m = e.getClass().getSimpleName() + ": " + e.getMessage();
    Throwable c = e.getCause();
    if (c == null || c.getMessage() == null || m.contains(c.getMessage())) return m;
    return m + " (" + c.getClass().getSimpleName() + ": " + c.getMessage() + ")";
  }
}
