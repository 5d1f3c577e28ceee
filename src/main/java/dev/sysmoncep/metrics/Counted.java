package dev.sysmoncep.metrics;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

/** Counts the records passing on their way to a sink, under one of the {@link JobCounters} names. */
public final class Counted<T> extends RichMapFunction<T, T> {
    private static final long serialVersionUID = 1L;

    private final String counter;
    private transient JobCounters.Count count;

    public Counted(String counter) {
        this.counter = counter;
    }

    @Override
    public void open(OpenContext openContext) {
        count = new JobCounters(getRuntimeContext()).get(counter);
    }

    @Override
    public T map(T record) {
        count.inc();
        return record;
    }
}
