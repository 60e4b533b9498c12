package org.mapd.model;

/**
 * The frozen backbones as HuggingFace-layout folders: {@code vision} holds config.json +
 * model.safetensors of a CLIP vision tower, {@code llm} holds config.json + weights + tokenizer.json
 * of a Qwen2 decoder. Paths, not tensors, so the record can travel in Temporal payloads.
 */
public record Backbones(String vision, String llm) {}
