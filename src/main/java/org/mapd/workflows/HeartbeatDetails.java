package org.mapd.workflows;

/**
 * What a stage activity heartbeats (shown in the UI's pending activity), and what its retry reads back. For an
 * Evaluate stage, loss holds the accuracy so far: the field keeps its name so that recorded payloads still read.
 */
public record HeartbeatDetails(long step, long total, double loss, String checkpoint) {}
