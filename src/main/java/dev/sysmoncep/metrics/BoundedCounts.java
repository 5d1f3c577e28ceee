package dev.sysmoncep.metrics;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.accumulators.Accumulator;

/**
 * An accumulator of counts per key for a bounded number of keys: once it holds {@code maxKeys}
 * keys, further new keys are counted together under {@link #OTHER}. Keeps the job result small
 * however varied the keys (dead-letter reasons) turn out to be, and keeps the totals exact.
 */
public final class BoundedCounts implements Accumulator<String, HashMap<String, Long>> {
    private static final long serialVersionUID = 1L;
    /** The key under which keys past the bound are counted. */
    public static final String OTHER = "(other)";

    private final int maxKeys;
    private HashMap<String, Long> counts = new HashMap<>();

    public BoundedCounts(int maxKeys) {
        this.maxKeys = maxKeys;
    }

    @Override
    public void add(String key) {
        add(key, 1L);
    }

    private void add(String key, long n) {
        int keys = counts.size() - (counts.containsKey(OTHER) ? 1 : 0);
        String counted = counts.containsKey(key) || keys < maxKeys ? key : OTHER;
        counts.merge(counted, n, Long::sum);
    }

    @Override
    public HashMap<String, Long> getLocalValue() {
        return counts;
    }

    @Override
    public void resetLocal() {
        counts = new HashMap<>();
    }

    @Override
    public void merge(Accumulator<String, HashMap<String, Long>> other) {
        for (Map.Entry<String, Long> e : other.getLocalValue().entrySet()) {
            add(e.getKey(), e.getValue());
        }
    }

    @Override
    public BoundedCounts clone() {
        BoundedCounts copy = new BoundedCounts(maxKeys);
        copy.counts = new HashMap<>(counts);
        return copy;
    }
}
