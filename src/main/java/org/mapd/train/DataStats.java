package org.mapd.train;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntFunction;
import org.mapd.conf.Plan;
import org.mapd.conf.Strategy;
import org.mapd.conf.Training;
import org.mapd.data.LlavaRecord;
import org.mapd.eval.Prompts;
import org.mapd.eval.Shot;
import org.mapd.eval.VlIclTask;
import org.mapd.model.ChatTemplate;
import org.mapd.model.TextTokenizer;
import org.mapd.model.TokenizedExample;
import org.mapd.pipelines.DatasetFile;
import org.mapd.pipelines.Manifests;

/**
 * What each stage feeds the decoder, measured on a prepared folder by the stages' own sequence builders
 * (captions, finetuning conversations, ICT samples, VL-ICL prompts) on a seeded sample of records: the
 * input of {@code mapd plan estimate}. Lengths are in tokens with every image expanded to its soft tokens.
 *
 * @param source where the numbers come from
 * @param prefixLength soft tokens per image the lengths were measured with
 * @param captions pretraining captions
 * @param datasets each finetuning dataset
 * @param ict ICT samples (context examples and a query in one sequence)
 * @param vlIcl each evaluation task
 */
public record DataStats(String source, int prefixLength, Lengths captions, Map<String, Lengths> datasets, Lengths ict,
    Map<String, TaskLengths> vlIcl) {

  /**
   * @param records records in the file (ICT: samples in an epoch's manifest)
   * @param meanTokens mean sequence length of the sample
   * @param p90Tokens its 90th percentile
   * @param maxTokens its longest
   * @param meanSupervised mean tokens through lm_head
   * @param meanImages mean images per sequence
   */
  public record Lengths(long records, double meanTokens, int p90Tokens, int maxTokens, double meanSupervised,
      double meanImages) {}

  /**
   * @param queries queries in query.json
   * @param supportRecords records in support.json (open_mi: images per class)
   * @param supportTokens mean tokens of one support conversation (FT mode)
   * @param supportSupervised mean supervised tokens of one support conversation
   * @param queryTokens mean tokens of the query prompt without support
   * @param iclShotTokens mean tokens one support example adds to an ICL prompt
   * @param imagesPerShot support images per shot (open_mi: one per class of the episode)
   */
  public record TaskLengths(int queries, int supportRecords, double supportTokens, double supportSupervised,
      double queryTokens, double iclShotTokens, int imagesPerShot) {}

  /**
   * @param sample records measured per file
   * @param tokenizerJson the decoder's tokenizer.json
   */
  public static DataStats measure(Plan plan, Path base, Path prepared, Path tokenizerJson, Path indexDir, int sample) {
    Training training = plan.training(base);
    int prefix = org.mapd.Json.read(plan.mapperConfig(base), org.mapd.model.MapperConfig.class).prefixLength();
    try (TextTokenizer tokenizer = TextTokenizer.load(tokenizerJson);
        Prepared data = new Prepared(prepared, indexDir)) {
      ChatTemplate template = new ChatTemplate(tokenizer, plan.fidelity().unmaskSpecialTokens(), prefix);
      Random random = new Random(plan.seed());
      Prepared.Records<LlavaRecord> captions = data.captions();
      int captionLen = training.pretrain().maxLen();
      Lengths captionLengths = lengths(captions.size(), sample, random, i ->
          Sequence.caption(template, captions.get(i), data.pretrainImages(), captionLen).example(), prefix);
      Map<String, Lengths> datasets = new LinkedHashMap<>();
      int mixLen = training.strategies().values().stream().mapToInt(c -> c.maxLen()).min().orElse(4096);
      Path imageRoot = DatasetFile.imageRoot(prepared);
      for (String ds : data.datasetNames()) {
        Prepared.Records<LlavaRecord> records = data.dataset(ds);
        datasets.put(ds, lengths(records.size(), sample, random, i ->
            Sequence.finetune(template, ds, records.get(i), imageRoot, mixLen).example(), prefix));
      }
      Lengths ict = null;
      if (training.has(Strategy.ICT) && Files.exists(Manifests.tasksFile(prepared, Strategy.ICT, 0))) {
        Finetune.Samples samples = new Finetune.Samples(data, template, prefix, training.strategy(Strategy.ICT));
        Prepared.Records<Manifests.IctSample> lines = data.manifest(e -> Manifests.tasksFile(prepared, Strategy.ICT, e), 0,
            Manifests.IctSample.class);
        ict = lengths(lines.size(), sample, random, i -> samples.ict(lines.get(i)).example(), prefix);
      }
      Map<String, TaskLengths> tasks = new LinkedHashMap<>();
      Path vlIcl = prepared.resolve("VL-ICL");
      for (String name : plan.eval().tasks()) {
        if (Files.exists(vlIcl.resolve(name).resolve("query.json"))) {
          tasks.put(name, task(VlIclTask.load(vlIcl, name), template, training.eval().nWay(), plan.seed(), sample, prefix));
        }
      }
      return new DataStats("measured on " + prepared + " (" + sample + " records sampled per file, tokenized with "
          + tokenizerJson + ")", prefix, captionLengths, datasets, ict, tasks);
    }
  }

  private static TaskLengths task(VlIclTask task, ChatTemplate template, int nWay, long seed, int sample, int prefix) {
    List<Double> support = new ArrayList<>();
    List<Double> supervised = new ArrayList<>();
    List<Double> query = new ArrayList<>();
    List<Double> icl = new ArrayList<>();
    int perShot = 1;
    int limit = task.shotLimit(nWay).shots();
    for (int q : task.selectedQueries(Math.min(sample, task.size()), seed)) {
      VlIclTask.Episode e = task.episode(q, 1, nWay, VlIclTask.episodeRandom(seed, task.name(), 1, q));
      perShot = e.shots().size();
      for (Shot s : e.shots()) {
        TokenizedExample ex = template.conversation(Prompts.supportConversation(s), 4096);
        support.add((double) ex.splicedLength(prefix));
        supervised.add((double) ex.supervised());
      }
      int alone = template.prompt(Prompts.query(e.query().question())).length;
      query.add((double) alone + prefix - 1);
      int with = template.prompt(Prompts.icl(e.shots(), e.query().question(), false)).length;
      icl.add((double) (with - alone) / e.shots().size() + prefix - 1);
    }
    return new TaskLengths(task.size(), limit, mean(support), mean(supervised), mean(query), mean(icl), perShot);
  }

  private static Lengths lengths(long records, int sample, Random random, IntFunction<TokenizedExample> build, int prefix) {
    int n = (int) Math.min(sample, records);
    int[] tokens = new int[n];
    double supervised = 0;
    double images = 0;
    for (int k = 0; k < n; k++) {
      TokenizedExample e = build.apply(n == records ? k : random.nextInt((int) records));
      tokens[k] = e.splicedLength(prefix);
      supervised += e.supervised();
      images += e.images();
    }
    Arrays.sort(tokens);
    double mean = Arrays.stream(tokens).average().orElse(0);
    return new Lengths(records, mean, n == 0 ? 0 : tokens[(int) Math.min(n - 1, Math.ceil(0.9 * n) - 1)],
        n == 0 ? 0 : tokens[n - 1], n == 0 ? 0 : supervised / n, n == 0 ? 0 : images / n);
  }

  private static double mean(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).average().orElse(0);
  }
}
