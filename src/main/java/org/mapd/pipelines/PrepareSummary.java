package org.mapd.pipelines;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * OUT/summary.json of the preparation. For the mix: read = sum(datasets) + removedTextOnly + sum(rejected).
 *
 * @param read records read from the conversation mix
 * @param datasets accepted records per training dataset
 * @param removedTextOnly text-only (ShareGPT-style) records dropped
 * @param rejected rejected records per reason
 * @param pretrain accepted caption records of LLaVA-Pretrain
 * @param pretrainRejected rejected caption records
 * @param vlIcl VL-ICL tasks found: task -> query count
 * @param notes what was found or combined (e.g. vqav2+okvqa written as one dataset)
 */
public record PrepareSummary(
    long read,
    Map<String, Long> datasets,
    @JsonProperty("removed_text_only") long removedTextOnly,
    Map<String, Long> rejected,
    long pretrain,
    @JsonProperty("pretrain_rejected") long pretrainRejected,
    @JsonProperty("vl_icl") Map<String, Long> vlIcl,
    java.util.List<String> notes) {}
