package dev.sysmoncep.detect;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The completed sequences that one order's CEP pattern ({@link SequencePatterns#pattern}) finds in
 * one process's part findings, computed directly, as Flink CEP 2.2.1 finds them:
 *
 * <ul>
 *   <li>CEP takes the findings by time, equal times by rule id ({@link SequencePatterns#tieBreak}),
 *       equal both in arrival order (its sort is stable).
 *   <li>Every finding of the first part opens a partial match. With relaxed contiguity a partial
 *       match takes, for each further part, the first finding of that part after its last one, and
 *       waits no longer for that part: so a later partial match's findings never come before an
 *       earlier one's, and the earliest open partial match completes first.
 *   <li>Before CEP takes the findings of a time, it drops the partial matches whose first finding
 *       lies the window or more before that time: a part exactly one window after the first does
 *       not complete a match.
 *   <li>When partial matches complete on one finding, CEP emits the one that began earliest; skip
 *       past last event drops every other partial match begun at or before that finding, so the
 *       next match begins after it.
 * </ul>
 */
public final class SequenceMatches {
    /** CEP's order of one process's findings: by time, then by rule id. */
    private static final Comparator<Finding> CEP_ORDER =
            Comparator.<Finding>comparingLong(f -> f.time).thenComparing(f -> f.ruleId);

    private SequenceMatches() {}

    /** The matches one order's CEP pattern yields on one process's part findings, from an empty NFA, in completion order. */
    public static List<Finding> of(SequenceRule rule, List<String> order, long windowMillis, List<Finding> parts) {
        if (windowMillis <= 0) {
            throw new IllegalArgumentException("the sequence window must be positive, not " + windowMillis + " ms");
        }
        List<Finding> taken = new ArrayList<>();
        for (Finding f : parts) {
            if (order.contains(f.ruleId)) {
                taken.add(f);
            }
        }
        taken.sort(CEP_ORDER);
        int[][] nextOfPart = nextOfPart(order, taken);
        int end = taken.size();
        List<Finding> matches = new ArrayList<>();
        int first = nextOfPart[0][0];
        while (first < end) {
            List<Finding> matchParts = new ArrayList<>(order.size());
            matchParts.add(taken.get(first));
            int last = first;
            for (int step = 1; step < order.size() && last < end; step++) {
                last = nextOfPart[step][last + 1];
                if (last < end) {
                    matchParts.add(taken.get(last));
                }
            }
            if (last == end) {
                // No later partial match can complete either: its parts would come later still.
                break;
            }
            if (taken.get(last).time - taken.get(first).time < windowMillis) {
                matches.add(Finding.ofSequence(rule, matchParts));
                first = nextOfPart[0][last + 1];
            } else {
                // Timed out before its last part; the next partial match may still be in time.
                first = nextOfPart[0][first + 1];
            }
        }
        return matches;
    }

    /** For each step of the order and each position, the position of the first finding of that step's part there or after. */
    private static int[][] nextOfPart(List<String> order, List<Finding> taken) {
        int end = taken.size();
        int[][] next = new int[order.size()][end + 1];
        for (int step = 0; step < order.size(); step++) {
            next[step][end] = end;
            for (int i = end - 1; i >= 0; i--) {
                next[step][i] = taken.get(i).ruleId.equals(order.get(step)) ? i : next[step][i + 1];
            }
        }
        return next;
    }
}
