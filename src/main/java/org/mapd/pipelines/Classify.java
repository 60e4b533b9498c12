package org.mapd.pipelines;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.mapd.data.LlavaRecord;

/**
 * Parses each raw record once and runs every per-record check. Accepted records go on as
 * ("dataset/"+name, (source order|index|source, compact JSON)); rejects as (order|index|source|reason, line).
 */
final class Classify extends DoFn<KV<String, KV<Long, String>>, KV<String, KV<String, String>>> {
  static final TupleTag<KV<String, KV<String, String>>> ACCEPTED = new TupleTag<>() {};
  static final TupleTag<KV<String, String>> REJECTED = new TupleTag<>() {};
  static final TupleTag<KV<String, Long>> COUNTS = new TupleTag<>() {};
  /** Pseudo-dataset of the accepted caption records. */
  static final String PRETRAIN = "__pretrain";

  private final SplitRules rules;
  private final List<SplitRules.Source> sources;
  private final String datasetsRoot;
  private final boolean fullImageCheck;
  private final boolean okvqaKnown;
  private final PCollectionView<Map<String, String>> joins;
  private transient Map<String, List<Pattern>> regexes;
  private transient Map<String, Path> imageRoots;
  /** Benchmarks only: -Dmapd.imageIndex=FILE lists the existing images (absolute paths), so none is opened. */
  private transient java.util.Set<String> imageIndex;

  /** @param sources the mix/OneVision sources in order, then a pretrain pseudo-source named "pretrain" */
  Classify(SplitRules rules, List<SplitRules.Source> sources, String datasetsRoot, boolean fullImageCheck,
      boolean okvqaKnown, PCollectionView<Map<String, String>> joins) {
    this.rules = rules;
    this.sources = sources;
    this.datasetsRoot = datasetsRoot;
    this.fullImageCheck = fullImageCheck;
    this.okvqaKnown = okvqaKnown;
    this.joins = joins;
  }

  @Setup
  public void setup() {
    regexes = new java.util.HashMap<>();
    imageRoots = new java.util.HashMap<>();
    imageIndex = DataBench.imageIndex(System.getProperty(DataBench.IMAGE_INDEX));
    for (SplitRules.Source s : sources) {
      imageRoots.put(s.name(), Path.of(datasetsRoot, s.imageRoot()).toAbsolutePath().normalize());
      List<Pattern> l = new ArrayList<>();
      for (SplitRules.Rule r : s.rules()) l.add(r.firstHumanRegex() == null ? null : Pattern.compile(r.firstHumanRegex()));
      regexes.put(s.name(), l);
    }
  }

  /** Fetched once per bundle: the DirectRunner rebuilds the whole map on every sideInput call (bench data). */
  private transient Map<String, String> bundleJoins;

  @StartBundle
  public void startBundle() {
    bundleJoins = null;
  }

  private Map<String, String> joinMap(ProcessContext c) {
    if (bundleJoins == null) bundleJoins = c.sideInput(joins);
    return bundleJoins;
  }

  static String order(int sourceOrder, long index) {
    return String.format(java.util.Locale.ROOT, "%02d|%012d", sourceOrder, index);
  }

  @ProcessElement
  public void process(@Element KV<String, KV<Long, String>> e, ProcessContext c, MultiOutputReceiver out) {
    String name = e.getKey();
    long index = e.getValue().getKey();
    String raw = e.getValue().getValue();
    int sourceOrder = 0;
    while (!sources.get(sourceOrder).name().equals(name)) sourceOrder++;
    SplitRules.Source source = sources.get(sourceOrder);
    boolean pretrain = name.equals("pretrain");
    String id = null;
    try {
      LlavaRecord r = Checks.parse(raw);
      id = r.id();
      if (Checks.textOnly(r)) {
        if (pretrain) throw new Checks.Rejected(Checks.Reason.IMAGE_MISSING, "caption without image");
        out.get(COUNTS).output(KV.of("removed_text_only", 1L));
        return;
      }
      String firstHuman = Checks.checkTurns(r);
      Path image = Checks.resolve(imageRoots.get(name), r.image());
      String dataset = pretrain ? PRETRAIN
          : Checks.classify(rules, source, regexes.get(name), r, firstHuman, joinMap(c), okvqaKnown);
      if (dataset == null || !(pretrain || rules.datasets().contains(dataset) || dataset.equals(rules.okvqa().combined()))) {
        throw new Checks.Rejected(Checks.Reason.UNKNOWN_DATASET, String.valueOf(dataset));
      }
      if (imageIndex == null) Checks.checkImage(image, fullImageCheck);
      else if (!imageIndex.contains(image.toString())) throw new Checks.Rejected(Checks.Reason.IMAGE_MISSING, image.toString());
      out.get(ACCEPTED).output(KV.of("dataset/" + dataset, KV.of(order(sourceOrder, index) + "|" + name, Checks.toJson(r))));
    } catch (Checks.Rejected x) {
      out.get(REJECTED).output(KV.of(order(sourceOrder, index) + "|" + name + "|" + x.reason.key(),
          Checks.rejectLine(name, index, id, x.reason, raw)));
    }
  }
}
