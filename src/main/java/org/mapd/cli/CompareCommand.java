package org.mapd.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.mapd.report.Compare;
import org.mapd.report.RunHistory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "compare", mixinStandardHelpOptions = true,
    description = {"Compares runs from their workflow histories alone and writes OUT/compare.md, OUT/compare.json "
        + "and OUT/accuracy_vs_shots.png: every strategy x task x shots x mode cell with one column per run, the "
        + "mean with 95% intervals over runs and over queries, the averages, the difference to --baseline (flagged "
        + "where its interval excludes zero), the plan parameters that differ, and stage times.",
        "Each RUN is a history JSON file (as the Web UI downloads it or `temporal workflow show --output json` "
            + "prints it), a run folder of the embedded mode (WORK/runs/RUN-ID, which holds history.json), or, "
            + "with --temporal, a workflow id."})
final class CompareCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin Common common;
  @Mixin Connection connection;

  @Parameters(arity = "1..*", paramLabel = "RUN", description = "History file, run folder, or workflow id.")
  List<String> runs;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder for the comparison.")
  Path out;

  @Option(names = "--baseline", paramLabel = "RUN",
      description = "The run the others are compared with: one of the RUN arguments, or its workflow id.")
  String baseline;

  @Override
  public Integer call() {
    List<RunHistory> histories = new ArrayList<>();
    String baselineId = null;
    Connection.Connected server = null;
    try {
      for (String run : runs) {
        Path path = Path.of(run);
        RunHistory h;
        if (Files.exists(path)) {
          h = read(path);
        } else if (connection.remote()) {
          if (server == null) server = connection.open();
          h = RunHistory.parse(server.client().fetchHistory(run).toJson(false), run);
        } else {
          throw new IllegalArgumentException(run + ": no such history file or run folder (a workflow id needs "
              + "--temporal)");
        }
        histories.add(h);
        if (run.equals(baseline) || h.id().equals(baseline)) baselineId = h.id();
      }
    } finally {
      if (server != null) server.close();
    }
    if (baseline != null && baselineId == null) {
      throw new IllegalArgumentException("--baseline " + baseline + " is none of the runs compared");
    }
    Path md = Compare.write(histories, baselineId, out);
    spec.commandLine().getOut().println(md.toAbsolutePath());
    return 0;
  }

  /**
   * A history file or a run folder; the id, when the history does not say it, is the run folder's name or
   * the file's name without .json.
   */
  static RunHistory read(Path path) {
    Path file = Files.isDirectory(path) ? path.resolve(RunHistory.FILE) : path;
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(path + ": no " + RunHistory.FILE + " in this folder");
    }
    String name = file.getFileName().toString();
    String id = name.equals(RunHistory.FILE) ? file.toAbsolutePath().getParent().getFileName().toString()
        : name.replaceFirst("\\.json$", "");
    try {
      return RunHistory.parse(Files.readString(file), id);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }
}
