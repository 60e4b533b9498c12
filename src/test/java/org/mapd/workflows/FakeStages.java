package org.mapd.workflows;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mapd.Json;
import org.mapd.Progress;
import org.mapd.conf.Mode;
import org.mapd.conf.Plan;
import org.mapd.conf.Strategy;
import org.mapd.eval.EvalSummary;
import org.mapd.eval.ResultRow;
import org.mapd.model.Backbones;
import org.mapd.pipelines.PrepareOptions;
import org.mapd.pipelines.PrepareSummary;
import org.mapd.train.MapperCheckpoint;

/** Stages that only record their calls and write the files later stages read (results.json). */
public final class FakeStages implements Stages {
  /** Queries per evaluated cell, as the mini plan has. */
  static final int QUERIES = 24;
  public final List<String> calls = Collections.synchronizedList(new ArrayList<>());
  /** Evaluated row -> the mapper folder it was given ("null" for the untrained row). */
  final Map<String, String> evaluatedMappers = Collections.synchronizedMap(new LinkedHashMap<>());

  @Override
  public Map<String, Integer> synth(Path out, long seed) {
    calls.add("synth");
    try {
      org.mapd.eval.VlIclFixture.write(out.resolve("VL-ICL"), 2, false); // the plan's shots are checked against it
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return Map.of("x", 1);
  }

  @Override
  public PrepareSummary prepare(PrepareOptions options) {
    calls.add("prepare");
    Map<String, Long> ds = new LinkedHashMap<>();
    ds.put("vg", 10L);
    ds.put("gqa", 30L);
    return new PrepareSummary(40, ds, 0, Map.of(), 5, 0, Map.of("clevr", 3L), List.of());
  }

  @Override
  public Backbones warmup(Plan plan, Path base, Path prepared, Path out, Progress progress) {
    calls.add("warmup");
    progress.report(1, 1, 0.5, null);
    return new Backbones(out.resolve("vision").toString(), out.resolve("llm").toString());
  }

  @Override
  public MapperCheckpoint pretrain(Plan plan, Path base, Path prepared, Backbones backbones, Path out,
      Progress progress) {
    calls.add("pretrain");
    return new MapperCheckpoint(out.toString(), 10, 1.0);
  }

  @Override
  public MapperCheckpoint finetune(Plan plan, Path base, Strategy strategy, String dataset, Path prepared,
      Backbones backbones, Path init, Path out, Progress progress) {
    calls.add("finetune " + strategy.json() + (dataset == null ? "" : " " + dataset));
    return new MapperCheckpoint(out.toString(), 5, 0.5);
  }

  @Override
  public MapperCheckpoint average(List<Path> mappers, List<Double> weights, Path out) {
    calls.add("average " + weights);
    return new MapperCheckpoint(out.toString(), 0, 0);
  }

  @Override
  public EvalSummary evaluate(Plan plan, Path base, String row, Path mapper, Backbones backbones, Path vlIcl,
      Path out, Progress progress) {
    calls.add("evaluate " + row);
    evaluatedMappers.put(row, String.valueOf(mapper));
    List<ResultRow> rows = new ArrayList<>();
    for (String task : plan.eval().tasks()) {
      for (int shots : plan.eval().shots(task)) {
        for (Mode mode : plan.eval().modes()) {
          // k of QUERIES correct, varying with row, shots and seed, so that runs and rows differ.
          int k = 3 * (1 + shots % 5) + row.length() % 3 + (int) (plan.seed() % 3);
          double acc = (double) k / QUERIES;
          rows.add(new ResultRow(row, task, mode, shots, QUERIES, acc,
              mode == Mode.FT ? (double) Math.min(QUERIES, k + 1) / QUERIES : acc));
        }
      }
    }
    Path results = out.resolve("results.json");
    Json.writeAtomic(results, Map.of("rows", rows));
    return new EvalSummary(row, results.toString(), out.resolve("samples.jsonl").toString(), rows.size());
  }
}
