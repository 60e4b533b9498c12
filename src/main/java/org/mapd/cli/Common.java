package org.mapd.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options every command accepts. */
final class Common {
  @Option(names = "--verbose", description = "Print stack traces of errors.")
  boolean verbose;

  /** Relative paths in plans and options resolve against the directory mapd was started in. */
  static Path base() {
    return Path.of("").toAbsolutePath();
  }
}
