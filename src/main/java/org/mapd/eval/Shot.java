package org.mapd.eval;

/**
 * One support example of an episode, as the script formats it.
 *
 * @param image image path relative to the VL-ICL root
 * @param question question text (open_mi: "This is a?")
 * @param answer answer as Python's str() would print it
 */
public record Shot(String image, String question, String answer) {}
