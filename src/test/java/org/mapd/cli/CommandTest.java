package org.mapd.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.mapd.workflows.Stages;

/** Runs the whole `mapd` command line in this JVM, keeping what it printed. */
abstract class CommandTest {
  String out;
  String err;

  int run(String... args) {
    return run(Stages.REAL, args);
  }

  int run(Stages stages, String... args) {
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    int code = Main.run(stages, new PrintWriter(o, true), new PrintWriter(e, true), args);
    out = o.toString();
    err = e.toString();
    return code;
  }
}
