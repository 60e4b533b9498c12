package org.mapd.eval;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.mapd.conf.Mode;

/**
 * One cell of the paper-style grid, as results.json holds it. {@code accuracy} is the fixed-step figure
 * (after the last adaptation step); {@code accuracyMaxOverSteps} is the authors' oracle figure (max over
 * steps; equals accuracy in ICL mode); {@code queries} is how many queries the cell has, which its
 * confidence interval needs (0 in files written before it was kept).
 */
public record ResultRow(
    String strategy,
    String task,
    Mode mode,
    int shots,
    int queries,
    double accuracy,
    @JsonProperty("accuracy_max_over_steps") double accuracyMaxOverSteps) {}
