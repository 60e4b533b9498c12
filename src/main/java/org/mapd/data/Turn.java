package org.mapd.data;

/** One message of a LLaVA conversation: {@code from} is "human" or "gpt". */
public record Turn(String from, String value) {
  public static final String HUMAN = "human";
  public static final String GPT = "gpt";
}
