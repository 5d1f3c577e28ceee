package dev.sysmoncep.records;

/**
 * Field values compared case-insensitively, as Splunk compares them: two characters are equal when
 * their lower cases are ({@link Character#toLowerCase(char)}, the same in every locale). Not Java's
 * {@code equalsIgnoreCase}, which also takes characters whose upper cases agree: the dotless ı for
 * i and the long ſ for s, so that {@code apı.ipify.org}, another DNS name, would be api.ipify.org.
 */
public final class CaseFold {
    private CaseFold() {}

    public static boolean equals(String a, String b) {
        return a.length() == b.length() && regionMatches(a, 0, b, 0, a.length());
    }

    /** Whether {@code a[aFrom, aFrom+length)} and {@code b[bFrom, bFrom+length)} lie within and are equal but for case. */
    public static boolean regionMatches(String a, int aFrom, String b, int bFrom, int length) {
        if (aFrom < 0 || bFrom < 0 || aFrom > a.length() - length || bFrom > b.length() - length) {
            return false;
        }
        for (int k = 0; k < length; k++) {
            char x = a.charAt(aFrom + k);
            char y = b.charAt(bFrom + k);
            if (x != y && Character.toLowerCase(x) != Character.toLowerCase(y)) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code text} holds {@code word} anywhere, but for case. */
    public static boolean contains(String text, String word) {
        for (int i = 0; i + word.length() <= text.length(); i++) {
            if (regionMatches(text, i, word, 0, word.length())) {
                return true;
            }
        }
        return false;
    }
}
