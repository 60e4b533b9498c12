package org.mapd.workflows;

import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.TemporalFailure;

/** One line saying why a stage or a child failed, for the UI's details and the report. */
final class Failures {
  private Failures() {}

  /**
   * The stage that failed and the innermost message: a child's failure wraps the activity's, which wraps the
   * application failure that says what went wrong.
   */
  static String reason(Throwable e) {
    String stage = null;
    String message = null;
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ActivityFailure a && stage == null) stage = a.getActivityType();
      if (t instanceof ApplicationFailure app) {
        message = app.getOriginalMessage();
      } else if (t instanceof TemporalFailure f && message == null) {
        message = f.getOriginalMessage();
      } else if (!(t instanceof TemporalFailure)) {
        message = t.getMessage();
      }
    }
    if (message == null || message.isBlank()) message = e.toString();
    return stage == null || message.startsWith(stage) ? message : stage + ": " + message;
  }
}
