package dev.sysmoncep.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.sysmoncep.records.SysmonEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.cep.nfa.compiler.NFACompiler;
import org.apache.flink.cep.operator.CepOperator;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * {@link SequenceMatches} against Flink's own CEP operator, built as the job builds it, on the same
 * part findings of one process: hand-written cases with their expectations, then random ones.
 */
class SequenceMatchesTest {
    private static final RuleSet RULES = RuleSet.bundled();
    private static final SequenceRule SEQUENCE = RULES.sequences().stream()
            .filter(s -> s.id().equals("f1a81b48-2139-4631-b968-ff5db9979678")).findFirst().orElseThrow();
    private static final String PIPE = "2f3a4092-548b-421c-9caa-84918e1787ef";
    private static final String LOOKUP = "ed313326-a0f9-11eb-a89c-acde48001122";
    /** A rule that is no part of the bundled sequence: a longer sequence's third part, or a finding to ignore. */
    private static final String SPAWN = "c3a1e0f2-5e9a-4d3b-9c1e-0a0b0c0d0e0f";
    private static final List<String> PIPE_THEN_LOOKUP = List.of(PIPE, LOOKUP);
    private static final List<String> LOOKUP_THEN_PIPE = List.of(LOOKUP, PIPE);
    private static final long WINDOW = RULES.sequenceWindow().toMillis();
    private static final long MINUTE = 60_000;
    private static final long T0 = Instant.parse("2024-03-12T09:14:00Z").toEpochMilli();

    @Test
    void theBundledSequenceHasTheTwoOrdersOfPipeAndLookup() {
        assertThat(SEQUENCE.orders()).containsExactlyInAnyOrder(PIPE_THEN_LOOKUP, LOOKUP_THEN_PIPE);
    }

    @Test
    void aBurstOfPipesThenOneLookupIsOneMatchOfTheFirstPipe() throws Exception {
        List<Finding> parts = List.of(part(PIPE, 0, T0), part(PIPE, 1, T0 + MINUTE), part(PIPE, 2, T0 + 2 * MINUTE),
                part(LOOKUP, 3, T0 + 10 * MINUTE));

        List<Finding> matches = matches(PIPE_THEN_LOOKUP, parts);
        assertThat(matches).hasSize(1);
        Finding m = matches.get(0);
        assertThat(m.partsInOrder).containsExactly(PIPE, LOOKUP);
        assertThat(m.firstTime).isEqualTo(T0);
        assertThat(m.time).isEqualTo(T0 + 10 * MINUTE);
        assertThat(m.pipeNames).containsExactly("\\pipe\\qbot-0");
        assertThat(matches(LOOKUP_THEN_PIPE, parts)).isEmpty();
    }

    @Test
    void aLookupExactlyOneWindowAfterThePipeIsNoMatchOneMillisecondSoonerIs() throws Exception {
        assertThat(matches(PIPE_THEN_LOOKUP, List.of(part(PIPE, 0, T0), part(LOOKUP, 1, T0 + WINDOW)))).isEmpty();
        assertThat(matches(PIPE_THEN_LOOKUP, List.of(part(PIPE, 0, T0), part(LOOKUP, 1, T0 + WINDOW - 1))))
                .extracting(m -> m.firstTime, m -> m.time).containsExactly(tuple(T0, T0 + WINDOW - 1));
    }

    @Test
    void aPipeThatTimedOutLeavesTheNextPipeToMatch() throws Exception {
        List<Finding> matches = matches(PIPE_THEN_LOOKUP,
                List.of(part(PIPE, 0, T0), part(PIPE, 1, T0 + 30 * MINUTE), part(LOOKUP, 2, T0 + WINDOW + MINUTE)));
        assertThat(matches).extracting(m -> m.firstTime).containsExactly(T0 + 30 * MINUTE);
    }

    @Test
    void aPipeAndALookupAtOneTimeCompleteOnlyPipeThenLookupWhicheverArrivesFirst() throws Exception {
        for (List<Finding> parts : List.of(List.of(part(PIPE, 0, T0), part(LOOKUP, 1, T0)),
                List.of(part(LOOKUP, 1, T0), part(PIPE, 0, T0)))) {
            assertThat(matches(PIPE_THEN_LOOKUP, parts)).extracting(m -> List.copyOf(m.partsInOrder))
                    .containsExactly(PIPE_THEN_LOOKUP);
            assertThat(matches(LOOKUP_THEN_PIPE, parts)).isEmpty();
        }
    }

    @Test
    void ofTwoPipesAtOneTimeTheOneThatArrivedFirstMatches() throws Exception {
        List<Finding> matches = matches(PIPE_THEN_LOOKUP,
                List.of(part(PIPE, 7, T0), part(PIPE, 3, T0), part(LOOKUP, 1, T0 + MINUTE)));
        assertThat(matches).extracting(m -> List.copyOf(m.pipeNames)).containsExactly(List.of("\\pipe\\qbot-7"));
    }

    @Test
    void theNextMatchBeginsAfterTheLastPartOfTheOneBefore() throws Exception {
        assertThat(matches(PIPE_THEN_LOOKUP, List.of(part(PIPE, 0, T0), part(LOOKUP, 1, T0 + MINUTE),
                part(LOOKUP, 2, T0 + 2 * MINUTE)))).hasSize(1);
        assertThat(matches(PIPE_THEN_LOOKUP, List.of(part(PIPE, 0, T0), part(LOOKUP, 1, T0 + MINUTE),
                part(PIPE, 2, T0 + 2 * MINUTE), part(LOOKUP, 3, T0 + 3 * MINUTE))))
                .extracting(m -> m.firstTime).containsExactly(T0, T0 + 2 * MINUTE);
    }

    @Test
    void findingsOfRulesOutsideTheOrderAreIgnored() throws Exception {
        assertThat(matches(PIPE_THEN_LOOKUP, List.of(part(PIPE, 0, T0), part(SPAWN, 1, T0 + MINUTE),
                part(LOOKUP, 2, T0 + 2 * MINUTE)))).extracting(m -> List.copyOf(m.partsInOrder)).containsExactly(PIPE_THEN_LOOKUP);
    }

    @Test
    void randomPipesAndLookupsMatchAsCepMatchesThemInBothOrders() throws Exception {
        Random random = new Random(20240312L);
        List<Finding> processes = randomProcesses(random, 4000, List.of(PIPE, LOOKUP));
        for (List<String> order : SEQUENCE.orders()) {
            assertMatchesAsCep(order, processes, random);
        }
    }

    /** Every order of three parts, the bundled two and a third rule; and the two-part orders, which ignore the third rule. */
    @Test
    void randomThreePartOrdersMatchAsCepMatchesThem() throws Exception {
        Random random = new Random(17L);
        List<Finding> processes = randomProcesses(random, 1000, List.of(PIPE, LOOKUP, SPAWN));
        for (List<String> two : SEQUENCE.orders()) {
            for (int at = 0; at <= 2; at++) {
                List<String> three = new ArrayList<>(two);
                three.add(at, SPAWN);
                assertMatchesAsCep(three, processes, random);
            }
            assertMatchesAsCep(two, processes, random);
        }
    }

    /**
     * The matches of one order on one process, after checking that CEP finds the same, whether the
     * findings arrive in this order or in event time.
     */
    private static List<Finding> matches(List<String> order, List<Finding> arrival) throws Exception {
        assertMatchesAsCep(order, arrival, false);
        assertMatchesAsCep(order, inEventTime(arrival), true);
        return SequenceMatches.of(SEQUENCE, order, WINDOW, arrival);
    }

    /**
     * Checks one order on the findings of many processes, as one CEP operator takes them, keyed by
     * process: shuffled, all at once, then a final watermark; and again shuffled, then sorted by time
     * (equal times stay shuffled), with a watermark after each time.
     */
    private static void assertMatchesAsCep(List<String> order, List<Finding> processes, Random random) throws Exception {
        assertMatchesAsCep(order, shuffled(processes, random), false);
        assertMatchesAsCep(order, inEventTime(shuffled(processes, random)), true);
    }

    private static void assertMatchesAsCep(List<String> order, List<Finding> arrival, boolean watermarkEachTime)
            throws Exception {
        Map<String, List<Finding>> found = byProcess(cep(order, arrival, watermarkEachTime), f -> f.groupKey);
        Map<String, List<Finding>> given = byProcess(arrival, f -> Finding.processKey(f.event));
        assertThat(given.keySet()).containsAll(found.keySet());
        for (Map.Entry<String, List<Finding>> process : given.entrySet()) {
            List<Finding> parts = process.getValue();
            assertThat(described(found.getOrDefault(process.getKey(), List.of())))
                    .as("%s on %s, %s", order, described(parts), watermarkEachTime ? "in event time" : "all at once")
                    .isEqualTo(described(SequenceMatches.of(SEQUENCE, order, WINDOW, parts)));
        }
    }

    /**
     * What the job's CEP operator for one order emits: the operator as {@code CEP.pattern(keyed, pattern,
     * comparator).inEventTime().process(function)} builds it (PatternStreamBuilder), keyed by process,
     * on the findings the job gives it, those of the order's rules.
     */
    private static List<Finding> cep(List<String> order, List<Finding> arrival, boolean watermarkEachTime) throws Exception {
        Pattern<Finding, Finding> pattern = SequencePatterns.pattern(order, RULES.sequenceWindow());
        CepOperator<Finding, String, Finding> operator = new CepOperator<>(
                TypeInformation.of(Finding.class).createSerializer(new SerializerConfigImpl()),
                false,
                // The function handles no timed-out partial matches.
                NFACompiler.compileFactory(pattern, false),
                SequencePatterns.tieBreak(),
                pattern.getAfterMatchSkipStrategy(),
                SequencePatterns.findings(SEQUENCE, order.size()),
                null);
        try (var h = new KeyedOneInputStreamOperatorTestHarness<>(operator, (Finding f) -> Finding.processKey(f.event),
                Types.STRING)) {
            h.open();
            for (int i = 0; i < arrival.size(); i++) {
                Finding f = arrival.get(i);
                if (order.contains(f.ruleId)) {
                    h.processElement(f, f.time);
                }
                if (watermarkEachTime && (i + 1 == arrival.size() || arrival.get(i + 1).time > f.time)) {
                    h.processWatermark(f.time);
                }
            }
            h.processWatermark(Long.MAX_VALUE);
            return h.extractOutputValues();
        }
    }

    private static Map<String, List<Finding>> byProcess(List<Finding> findings, Function<Finding, String> process) {
        Map<String, List<Finding>> by = new LinkedHashMap<>();
        for (Finding f : findings) {
            by.computeIfAbsent(process.apply(f), p -> new ArrayList<>()).add(f);
        }
        return by;
    }

    private static List<Finding> inEventTime(List<Finding> arrival) {
        List<Finding> byTime = new ArrayList<>(arrival);
        byTime.sort(Comparator.comparingLong(f -> f.time));
        return byTime;
    }

    /** The findings of {@code count} processes, each of {@link #randomParts}. */
    private static List<Finding> randomProcesses(Random random, int count, List<String> rules) {
        List<Finding> all = new ArrayList<>();
        for (int p = 0; p < count; p++) {
            all.addAll(randomParts(random, rules, p));
        }
        return all;
    }

    /**
     * 1 to 12 findings of the rules in one process, often mostly of one rule; each at the time of
     * an earlier one (ties, of one rule and across rules), a window or a millisecond more or less
     * from an earlier one, or on a quarter-window grid off by a millisecond or none.
     */
    private static List<Finding> randomParts(Random random, List<String> rules, int process) {
        int count = 1 + random.nextInt(12);
        double[] weights = new double[rules.size()];
        for (int r = 0; r < weights.length; r++) {
            weights[r] = 0.1 + random.nextDouble();
        }
        List<Finding> parts = new ArrayList<>(count);
        for (int n = 0; n < count; n++) {
            long time;
            int how = n == 0 ? 2 : random.nextInt(4);
            if (how == 0) {
                time = parts.get(random.nextInt(n)).time;
            } else if (how == 1) {
                time = parts.get(random.nextInt(n)).time + (random.nextBoolean() ? WINDOW : -WINDOW) + random.nextInt(3) - 1;
            } else {
                time = T0 + random.nextInt(9) * (WINDOW / 4) + random.nextInt(3) - 1;
            }
            parts.add(part(pick(random, rules, weights), n, time, process));
        }
        return parts;
    }

    private static String pick(Random random, List<String> rules, double[] weights) {
        double total = 0;
        for (double w : weights) {
            total += w;
        }
        double at = random.nextDouble() * total;
        for (int r = 0; r < rules.size() - 1; r++) {
            at -= weights[r];
            if (at < 0) {
                return rules.get(r);
            }
        }
        return rules.get(rules.size() - 1);
    }

    private static List<Finding> shuffled(List<Finding> parts, Random random) {
        List<Finding> copy = new ArrayList<>(parts);
        Collections.shuffle(copy, random);
        return copy;
    }

    /** Finding {@code n} of a rule in wermgr's process 0. */
    private static Finding part(String ruleId, int n, long time) {
        return part(ruleId, n, time, 0);
    }

    /**
     * Finding {@code n} of a rule, as the alert aggregator hands it on: in one wermgr process, with
     * its own pipe or query name and alert.
     */
    private static Finding part(String ruleId, int n, long time, int process) {
        SysmonEvent e = new SysmonEvent();
        e.host = "WS-FIN-07";
        e.eventTime = time;
        e.processGuid = String.format("{0B4C5D6E-1111-2222-3333-%012d}", process);
        e.processId = "4242";
        e.image = "C:\\Windows\\SysWOW64\\wermgr.exe";
        e.user = "NT AUTHORITY\\SYSTEM";
        EventRule rule = RULES.eventRule(ruleId.equals(LOOKUP) ? LOOKUP : PIPE);
        if (ruleId.equals(LOOKUP)) {
            e.eventId = 22;
            e.queryName = "api" + n + ".ipify.org";
        } else if (ruleId.equals(PIPE)) {
            e.eventId = 18;
            e.eventType = "ConnectPipe";
            e.pipeName = "\\pipe\\qbot-" + n;
        } else {
            e.eventId = 1;
        }
        Finding f = Finding.ofEvent(rule, e);
        f.ruleId = ruleId;
        return f.attributedTo("alert-" + n);
    }

    private static List<String> described(List<Finding> findings) {
        List<String> out = new ArrayList<>(findings.size());
        for (Finding f : findings) {
            out.add(f.partsInOrder.isEmpty()
                    ? f.ruleId.substring(0, 4) + "@" + (f.time - T0) + f.relatedAlertIds
                    : f.partsInOrder + " time=" + (f.time - T0) + " first=" + (f.firstTime - T0) + " last=" + (f.lastTime - T0)
                            + " event=" + (f.event.eventTime - T0) + " pipes=" + f.pipeNames + " queries=" + f.queryNames
                            + " alerts=" + f.relatedAlertIds + " process=" + f.groupKey.replace('\u001f', '|'));
        }
        return out;
    }
}
