/**
 * The data preparation, a Beam program ({@code mapd data prepare}, the PrepareData stage). Where to look:
 *
 * <ul>
 *   <li><b>The program</b>: {@link org.mapd.pipelines.PrepareData#run}, one named step after another (scan the
 *       sources into ranges, build the join map, run the pipeline, merge the shards, reconcile the counters,
 *       write summary, links and manifests).
 *   <li><b>Its options</b>: {@link org.mapd.pipelines.PrepareOptions}, a {@code PipelineOptions} interface (runner,
 *       Flink master and parallelism, folders, split rules, seed).
 *   <li><b>Its transform</b>: {@link org.mapd.pipelines.CheckAndSplit}, the composite that spreads the ranges and
 *       runs {@link org.mapd.pipelines.SplitRangeFn} on each; counters in Beam {@code Metrics}.
 *   <li><b>What a record must pass</b>: {@link org.mapd.pipelines.Checks} (plain functions),
 *       {@link org.mapd.pipelines.ImageCheck}, {@link org.mapd.pipelines.SplitRules} (pipelines/split_rules.json).
 *   <li><b>Inputs the pipeline reads</b>: {@link org.mapd.pipelines.ReadJsonArray} and
 *       {@link org.mapd.pipelines.Range} (element boundaries of the JSON arrays), {@link org.mapd.pipelines.JoinMap};
 *       the OneVision parquet conversion before them ({@link org.mapd.pipelines.OneVision} and its readers).
 *   <li><b>Outputs</b>: {@link org.mapd.pipelines.DatasetShards} and {@link org.mapd.pipelines.Writers} (shards
 *       merged into the authors' {@link org.mapd.pipelines.DatasetFile}s), {@link org.mapd.pipelines.PrepareSummary},
 *       {@link org.mapd.pipelines.Manifests} (every strategy's per-epoch sampling).
 * </ul>
 *
 * <p>Tests, in the same package under src/test: {@code CheckAndSplitTest} (TestPipeline + PAssert on the
 * transform), {@code PrepareOptionsTest}, {@code PrepareDataTest} (the whole program on both runners),
 * {@code ChecksTest}, {@code ManifestsTest} and the parsers' fuzz tests. The benchmark against a hand-written
 * baseline is {@code org.mapd.bench.DataBench} ({@code mapd bench data}); nothing here depends on it.
 */
package org.mapd.pipelines;
