package dev.sysmoncep.bench;

import dev.sysmoncep.records.SysmonEvent;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.util.Collector;

/** The naive baseline's parse: every line into a tree ({@link TreeParser}); lines it cannot read are dropped. */
final class NaiveSysmonParse extends RichFlatMapFunction<String, SysmonEvent> {
    private static final long serialVersionUID = 1L;

    private transient TreeParser parser;

    @Override
    public void open(OpenContext openContext) {
        parser = new TreeParser();
    }

    @Override
    public void flatMap(String line, Collector<SysmonEvent> out) {
        SysmonEvent e = parser.parse(line);
        if (e != null) {
            out.collect(e);
        }
    }
}
