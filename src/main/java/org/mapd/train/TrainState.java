package org.mapd.train;

import java.util.List;

/**
 * state.json of a checkpoint: where the run stands in its data order. Every random choice is derived from
 * (seed, epoch), so seed + position is the whole generator state.
 *
 * @param step optimizer steps done
 * @param epoch epoch of the next micro-step
 * @param micro index of the next micro-step in that epoch's order
 * @param adamSteps AdamW's step count (bias correction)
 * @param lslr whether learned inner learning rates are among the parameters
 * @param seed seed of the data order
 * @param lossTail the last optimizer-step losses, oldest first
 */
record TrainState(long step, int epoch, int micro, long adamSteps, boolean lslr, long seed, List<Double> lossTail) {}
