package org.mapd.workflows;

import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.common.SearchAttributeKey;
import io.temporal.common.SearchAttributeUpdate;
import io.temporal.common.SearchAttributes;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mapd.conf.Mode;
import org.mapd.conf.Plan;
import org.mapd.report.Scores;

/**
 * The search attributes mapd's workflows set on themselves, so that a run started from the Web UI lists and
 * filters like one started by the CLI. A server must know them before a workflow sets them (`mapd temporal
 * setup`, or `--search-attribute` of `temporal server start-dev`); the embedded service registers them itself.
 * Averages are fractions, as in results.json.
 */
public final class RunAttributes {
  public static final SearchAttributeKey<String> PLAN = SearchAttributeKey.forKeyword("MapdPlan");
  /** The run's workflow id, on the run and on each of its strategy children. */
  public static final SearchAttributeKey<String> RUN = SearchAttributeKey.forKeyword("MapdRun");
  /** Children only. */
  public static final SearchAttributeKey<String> STRATEGY = SearchAttributeKey.forKeyword("MapdStrategy");
  public static final SearchAttributeKey<Long> SEED = SearchAttributeKey.forLong("MapdSeed");
  public static final SearchAttributeKey<String> FIDELITY = SearchAttributeKey.forKeyword("MapdFidelity");
  /** What runs now: stage names, "strategies", "waiting", "done", "done, incomplete" or "failed: STAGE". */
  public static final SearchAttributeKey<String> STAGE = SearchAttributeKey.forKeyword("MapdStage");
  /** Children only, once evaluated: the paper's average (shots >= 1) of the fixed-step accuracy. */
  public static final SearchAttributeKey<Double> FT_AVG = SearchAttributeKey.forDouble("MapdFtAvg");
  public static final SearchAttributeKey<Double> ICL_AVG = SearchAttributeKey.forDouble("MapdIclAvg");

  /** Every attribute with its type, in the order `mapd temporal setup` registers them. */
  public static final Map<String, IndexedValueType> ALL = all();

  private RunAttributes() {}

  private static Map<String, IndexedValueType> all() {
    Map<String, IndexedValueType> all = new LinkedHashMap<>();
    for (SearchAttributeKey<?> k : new SearchAttributeKey<?>[] {PLAN, RUN, STRATEGY, SEED, FIDELITY, STAGE, FT_AVG,
        ICL_AVG}) {
      all.put(k.getName(), k.getValueType());
    }
    return java.util.Collections.unmodifiableMap(all);
  }

  /** Keyword, Int, Double: the type names of `temporal server start-dev --search-attribute NAME=TYPE`. */
  public static String typeName(IndexedValueType type) {
    return switch (type) {
      case INDEXED_VALUE_TYPE_KEYWORD -> "Keyword";
      case INDEXED_VALUE_TYPE_INT -> "Int";
      case INDEXED_VALUE_TYPE_DOUBLE -> "Double";
      case INDEXED_VALUE_TYPE_TEXT -> "Text";
      case INDEXED_VALUE_TYPE_BOOL -> "Bool";
      case INDEXED_VALUE_TYPE_DATETIME -> "Datetime";
      case INDEXED_VALUE_TYPE_KEYWORD_LIST -> "KeywordList";
      default -> type.name();
    };
  }

  /** Registers every attribute on an in-process service (the embedded mode and tests). */
  public static void registerIn(TestWorkflowEnvironment env) {
    ALL.forEach(env::registerSearchAttribute);
  }

  /** The attributes of a run, set by the run itself when it starts. */
  static void upsertRun(Plan plan, String run) {
    Workflow.upsertTypedSearchAttributes(PLAN.valueSet(plan.name()), RUN.valueSet(run), SEED.valueSet(plan.seed()),
        FIDELITY.valueSet(plan.fidelity().json()));
  }

  /** A child's averages, once it is evaluated. */
  static void upsertAverages(Scores scores) {
    if (scores == null) return;
    List<SearchAttributeUpdate<?>> updates = new ArrayList<>();
    scores.average(Mode.FT).ifPresent(a -> updates.add(FT_AVG.valueSet(a.accuracy())));
    scores.average(Mode.ICL).ifPresent(a -> updates.add(ICL_AVG.valueSet(a.accuracy())));
    if (!updates.isEmpty()) Workflow.upsertTypedSearchAttributes(updates.toArray(SearchAttributeUpdate<?>[]::new));
  }

  /** The attributes a strategy child starts with, set by its parent. */
  static SearchAttributes child(Plan plan, String run, String strategy) {
    return SearchAttributes.newBuilder().set(PLAN, plan.name()).set(RUN, run).set(STRATEGY, strategy)
        .set(SEED, plan.seed()).set(FIDELITY, plan.fidelity().json()).set(STAGE, "queued").build();
  }
}
