package org.mapd.workflows;

import org.mapd.conf.Plan;
import org.mapd.conf.Strategy;
import org.mapd.model.Backbones;
import org.mapd.train.MapperCheckpoint;

/** The input of a child {@link StrategyWorkflow}: everything it needs from the parent's earlier stages. */
public record StrategyInput(
    Plan plan, Strategy strategy, PrepareResult prepared, Backbones backbones, MapperCheckpoint pretrained) {}
