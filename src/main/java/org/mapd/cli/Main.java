package org.mapd.cli;

import io.temporal.client.WorkflowFailedException;
import io.temporal.failure.ApplicationFailure;
import java.io.PrintWriter;
import java.util.Arrays;
import org.mapd.workflows.Stages;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The `mapd` command. Exit codes: 0 done, 1 a stage or the run failed, 2 bad plan, input or option. */
@Command(
    name = "mapd",
    mixinStandardHelpOptions = true,
    version = "mapd 0.1.0",
    description = "Durable reproduction of MAPD (Meta-Adaptive Prompt Distillation): Temporal workflows over "
        + "Beam data preparation and DJL training.",
    subcommands = {
        ReproduceCommand.class, ResumeCommand.class, CompareCommand.class, DataCommand.class, TrainCommand.class,
        EvalCommand.class, WorkerCommand.class, TemporalCommand.class, ModelCommand.class, TokenizeCommand.class,
        BenchCommand.class, RehearseCommand.class, PlanCommand.class, CommandLine.HelpCommand.class})
public final class Main {
  public static final int FAILED = 1;
  public static final int BAD_INPUT = 2;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns the exit code (tests call this instead of main). */
  public static int run(String... args) {
    return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
  }

  /** @param out help, version and answers (the report path); @param err error messages */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    return run(Stages.REAL, out, err, args);
  }

  /** With other stage implementations: tests run the whole CLI and workflow around fake stages. */
  static int run(Stages stages, PrintWriter out, PrintWriter err, String... args) {
    boolean verbose = Arrays.asList(args).contains("--verbose");
    CommandLine.IFactory factory = new CommandLine.IFactory() {
      @Override
      public <K> K create(Class<K> type) throws Exception {
        if (type == ReproduceCommand.class) return type.cast(new ReproduceCommand(stages));
        if (type == ResumeCommand.class) return type.cast(new ResumeCommand(stages));
        return CommandLine.defaultFactory().create(type);
      }
    };
    return new CommandLine(new Main(), factory)
        .setOut(out)
        .setErr(err)
        .setExecutionExceptionHandler((e, cmd, parsed) -> report(e, cmd.getErr(), verbose))
        .execute(args);
  }

  private static int report(Exception e, PrintWriter err, boolean verbose) {
    Throwable cause = e;
    int code = e instanceof IllegalArgumentException ? BAD_INPUT : FAILED;
    if (e instanceof WorkflowFailedException) {
      // The useful message is the first application failure: workflow -> child -> activity -> failure.
      while (cause.getCause() != null && !(cause instanceof ApplicationFailure)) cause = cause.getCause();
      if (cause instanceof ApplicationFailure app && "InvalidInput".equals(app.getType())) code = BAD_INPUT;
    }
    String message = cause instanceof ApplicationFailure app ? app.getOriginalMessage() : cause.getMessage();
    err.println("mapd: " + (message == null ? cause.toString() : message));
    if (verbose) {
      e.printStackTrace(err);
    } else {
      err.println("(run again with --verbose for the stack trace)");
    }
    err.flush();
    return code;
  }
}
