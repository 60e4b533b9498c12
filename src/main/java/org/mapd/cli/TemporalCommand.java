package org.mapd.cli;

import io.temporal.serviceclient.OperatorServiceStubs;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "temporal", mixinStandardHelpOptions = true,
    description = "Prepares a Temporal server for mapd.", subcommands = TemporalCommand.Setup.class)
final class TemporalCommand {
  @Command(name = "setup", mixinStandardHelpOptions = true,
      description = {"Registers mapd's search attributes (MapdPlan, MapdRun, MapdStrategy, MapdSeed, MapdFidelity, "
          + "MapdStage, MapdFtAvg, MapdIclAvg) in a namespace; one already registered is fine. Run it once per "
          + "namespace before the first worker starts. The embedded service registers them itself.",
          "Temporal Cloud does not take them through this API: add them in the Cloud UI or with tcld."})
  static final class Setup implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Common common;
    @Mixin Connection connection;

    @Override
    public Integer call() {
      connection.require("temporal setup");
      OperatorServiceStubs operator = connection.operator();
      try {
        for (String line : SearchAttributeSetup.register(operator, connection.namespace)) {
          spec.commandLine().getOut().println(line);
        }
      } finally {
        operator.shutdown();
      }
      return 0;
    }
  }
}
