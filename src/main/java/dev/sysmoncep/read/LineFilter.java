package dev.sysmoncep.read;

import java.io.Serializable;

/**
 * Tells, from a line's raw bytes and before any parsing, whether the line may hold an event that
 * matters downstream. The file reader folds the lines it rules out into tallies, or leaves them
 * unparsed on the fast path; the rules' candidate filter is the one in use.
 */
public interface LineFilter extends Serializable {
    /** False only if no event in {@code buf[off, off+len)} can matter; true may be a false alarm. */
    boolean mayMatch(byte[] buf, int off, int len);
}
