package org.mapd.workflows;

import java.util.Map;
import java.util.Set;
import org.mapd.conf.Params;
import org.mapd.conf.Plan;

/**
 * The static summary and details the Web UI shows for a run (set by the CLI that starts it; the UI's Start
 * Workflow form has fields for them) and for each strategy child (set by the run).
 */
public final class RunLabels {
  private RunLabels() {}

  public static String runSummary(Plan plan) {
    return plan.name() + " seed " + plan.seed() + " · " + plan.fidelity().json() + " · " + plan.strategies().size()
        + " strategies";
  }

  /** Every plan parameter, one Markdown bullet each. */
  public static String runDetails(Plan plan) {
    StringBuilder md = new StringBuilder("Plan `").append(plan.name()).append("`:\n\n");
    Params.flatten(plan).forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
    return md.toString();
  }

  static String childSummary(Plan plan, String strategy) {
    return strategy + " · " + plan.name() + " seed " + plan.seed() + " · " + plan.fidelity().json();
  }

  /** Where the child belongs, and its hyper-parameters that differ from its siblings'. */
  static String childDetails(Plan plan, String strategy, String runId, Map<String, Map<String, String>> settings) {
    Set<String> differing = Params.differing(settings.values());
    Map<String, String> own = settings.getOrDefault(strategy, Map.of());
    return "Strategy **" + strategy + "** of run `" + runId + "`: plan `" + plan.name() + "`, seed " + plan.seed()
        + ", fidelity " + plan.fidelity().json() + ".\n\n"
        + (differing.isEmpty() || own.isEmpty()
            ? "Its settings (" + plan.conf() + "/training.json) are the same as the other strategies'."
            : "Its settings that differ from the other strategies' (" + plan.conf() + "/training.json): "
                + Params.line(own, differing) + ".");
  }
}
