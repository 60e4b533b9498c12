package org.mapd.workflows;

import java.util.Map;

/**
 * What PrepareData hands to the later stages: folders, and the record count of every training dataset
 * (ModelAvg fans out over these datasets and weights its average by these counts).
 *
 * @param prepared the prepared folder (LLaVA-Instruct/Image_data/..., LLaVA-Pretrain/..., tasks/...)
 * @param vlIcl the VL-ICL evaluation folder
 * @param datasets accepted records per training dataset
 */
public record PrepareResult(String prepared, String vlIcl, Map<String, Long> datasets) {}
