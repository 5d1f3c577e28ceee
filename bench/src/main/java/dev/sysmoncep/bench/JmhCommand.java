package dev.sysmoncep.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * The hot path's JMH micro-benchmarks ({@code jmh/HotPathBenchmarks}): JMH's own command line, with
 * the benchmarks of this module selected unless a pattern is given. JMH forks its measuring JVMs
 * with this JVM's class path, so they run what the launcher built.
 */
@Command(name = "jmh", mixinStandardHelpOptions = true,
        description = {
            "Runs the hot path's JMH micro-benchmarks (lines/s of splitting lines, the candidate filter, the "
                    + "parser and the quick check of a line no rule can match, per format; values/s of a wildcard "
                    + "match). Arguments go to JMH as they are (e.g. -wi 2 -w 1s -i 3 -r 2s -f 1); without a "
                    + "benchmark pattern, HotPathBenchmarks runs."})
public final class JmhCommand implements Callable<Integer> {
    /** JMH's options and pattern, passed on unread. */
    @Unmatched
    List<String> jmhArgs = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        List<String> args = new ArrayList<>(jmhArgs);
        if (args.stream().noneMatch(a -> a.contains("Benchmarks"))) {
            args.add(0, "HotPathBenchmarks");
        }
        org.openjdk.jmh.Main.main(args.toArray(String[]::new));
        return 0;
    }
}
