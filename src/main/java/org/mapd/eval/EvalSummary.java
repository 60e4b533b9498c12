package org.mapd.eval;

/** What an evaluation wrote: rows (results.json of this row) and per-sample JSON lines. */
public record EvalSummary(String row, String resultsFile, String samplesFile, long samples) {}
