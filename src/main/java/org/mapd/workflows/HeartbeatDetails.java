package org.mapd.workflows;

/** What a stage activity heartbeats (shown in the UI's pending activity), and what its retry reads back. */
public record HeartbeatDetails(long step, long total, double loss, String checkpoint) {}
