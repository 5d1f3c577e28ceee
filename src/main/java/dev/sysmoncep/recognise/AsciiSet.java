package dev.sysmoncep.recognise;

/** A set of ASCII characters as a table of 128, for the quick checks' per-byte tests (a non-ASCII byte is in none). */
final class AsciiSet {
    private AsciiSet() {}

    static boolean[] of(String members) {
        boolean[] set = new boolean[128];
        members.chars().forEach(c -> set[c] = true);
        return set;
    }
}
