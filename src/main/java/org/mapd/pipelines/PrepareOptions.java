package org.mapd.pipelines;

import com.fasterxml.jackson.annotation.JsonIgnore;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.DefaultValueFactory;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.options.Validation;
import org.mapd.conf.Fidelity;
import org.mapd.conf.Training;

/**
 * The options of the Beam preparation ({@link PrepareData}), as a Beam program takes them:
 * {@code PipelineOptionsFactory.fromArgs("--datasets=DIR", "--out=DIR", "--runner=FlinkRunner",
 * "--flinkMaster=[local]").withValidation().as(PrepareOptions.class)}, or one setter at a time. The runner is
 * Beam's own {@code --runner} (DirectRunner by default); {@code flinkMaster} and {@code parallelism} are the
 * FlinkRunner's options, declared here with the same defaults so that the preparation's settings are all in one
 * place. Other runner options (the DirectRunner's enforceImmutability, ...) apply as usual.
 */
public interface PrepareOptions extends PipelineOptions {
  @Description("Downloaded (or synthetic) datasets in the authors' layout: LLaVA-Pretrain/, LLaVA-Instruct/, "
      + "OK-VQA/, LLaVA-OneVision/, VL-ICL/; every part is optional")
  @Validation.Required
  String getDatasets();

  void setDatasets(String value);

  @Description("Output folder: the dataset files, rejects.jsonl, summary.json, the meta-task manifests")
  @Validation.Required
  String getOut();

  void setOut(String value);

  @Description("The split rules file (pipelines/split_rules.json under the working directory, or -Dmapd.splitRules)")
  @Default.InstanceFactory(DefaultSplitRules.class)
  String getSplitRules();

  void setSplitRules(String value);

  @Description("Decode every image as training will, instead of the structure check (about 30x the cost)")
  @Default.Boolean(false)
  boolean getFullImageCheck();

  void setFullImageCheck(boolean value);

  @Description("Seed of the meta-task manifests")
  @Default.Long(0)
  long getSeed();

  void setSeed(long value);

  @Description("How ICT groups are drawn: AUTHORS (as their create_batch_ict) or INTENDED")
  @Default.Enum("AUTHORS")
  Fidelity getFidelity();

  void setFidelity(Fidelity value);

  @Description("With --runner=FlinkRunner: the Flink master, host:port of a session cluster, [local] for an "
      + "embedded one, or [auto]")
  @Default.String("[auto]")
  String getFlinkMaster();

  void setFlinkMaster(String value);

  @Description("With --runner=FlinkRunner: workers; -1 for Flink's default (the cores, on [local])")
  @Default.Integer(-1)
  Integer getParallelism();

  void setParallelism(Integer value);

  @JsonIgnore
  @Description("Meta-task and ICT group sizes and epochs per strategy: the plan's training.json (in-process only)")
  Training getTraining();

  void setTraining(Training value);

  @JsonIgnore
  @Description("Replaces the image check of every record (in-process only: benchmarks check against an index); "
      + "unset, the files are checked as --fullImageCheck says")
  ImageCheck getImageCheck();

  void setImageCheck(ImageCheck value);

  /**
   * Options for a runner as plans and the CLI name it, direct or flink. For the DirectRunner, its per-element
   * immutability and encodability checks are off (they double a data-sized run; tests turn them on), and it
   * gets a thread per core, at least two, instead of its default of at least three: one of its threads runs its
   * scheduler, which resubmits itself without pause (QuiescenceDriver), so a third thread on two cores spins
   * beside the two busy with ranges.
   */
  static PrepareOptions forRunner(String runner) {
    PrepareOptions o = PipelineOptionsFactory.as(PrepareOptions.class);
    switch (runner) {
      case "direct" -> {
        o.setRunner(org.apache.beam.runners.direct.DirectRunner.class); // not PipelineOptions.DirectRunner, a factory
        DirectOptions direct = o.as(DirectOptions.class);
        direct.setEnforceImmutability(false);
        direct.setEnforceEncodability(false);
        direct.setTargetParallelism(Math.max(2, Runtime.getRuntime().availableProcessors()));
      }
      case "flink" -> {
        o.setRunner(FlinkRunner.class);
        o.as(FlinkPipelineOptions.class).setFasterCopy(true); // records are never reused, so no defensive copies
      }
      default -> throw new IllegalArgumentException("runner must be direct or flink, not " + runner);
    }
    return o;
  }

  /** The split rules file the preparation reads unless told otherwise ({@link SplitRules#defaultFile}). */
  final class DefaultSplitRules implements DefaultValueFactory<String> {
    @Override
    public String create(PipelineOptions options) {
      return SplitRules.defaultFile().toString();
    }
  }
}
