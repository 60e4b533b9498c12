package org.mapd.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where a run's stages and reports go, and who runs them: the options of reproduce and resume. */
final class RunOptions {
  @Option(names = "--work", defaultValue = "work", paramLabel = "DIR",
      description = "Work folder for stage outputs and reports; all workers of a run share it (default: "
          + "${DEFAULT-VALUE}).")
  Path work;

  @Option(names = "--no-worker",
      description = "With --temporal: start no workers here; `mapd worker` processes run the stages.")
  boolean noWorker;
}
