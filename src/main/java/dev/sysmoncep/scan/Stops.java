package dev.sysmoncep.scan;

/**
 * The bytes where a quick check's run over plain bytes must stop and look, marked for a whole line
 * in one pass by {@link StopMarks} ({@link ByteWords#mark}, {@link ByteVectors#mark}): bit {@code j} of
 * {@code bits[w]} stands for byte {@code from + 64 w + j}, and no bit past the line's end is set, so
 * {@code bits} needs {@code (to - from + 63) / 64} longs.
 */
public enum Stops {
    /** In a JSON string: a quote, a backslash, or an ASCII control (below 0x20). */
    JSON_STRING,
    /**
     * In XML text or an attribute value: either quote, '<', '&', ']', an ASCII control, or any byte
     * of a multi-byte character (which may be U+FFFE or U+FFFF, no XML character).
     */
    XML_TEXT;

    /** Whether {@code b} is a stop of this kind: the byte loop both marking ways must agree with. */
    public boolean stopsAt(byte b) {
        if (this == JSON_STRING) {
            return b == '"' || b == '\\' || (b >= 0 && b < 0x20);
        }
        return b < 0x20 || b == '"' || b == '\'' || b == '<' || b == '&' || b == ']';
    }
}
