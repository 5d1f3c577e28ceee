package dev.sysmoncep.detect;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sysmoncep.records.RuleFileVersion;
import dev.sysmoncep.records.SysmonField;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;

/**
 * The rules in force, read from the rule file ({@code rules/wermgr-rules.yml} on the classpath
 * unless another file is given). Validated when loaded, so a bad rule file stops the job at
 * start with a message naming the problem, never mid-stream.
 */
public final class RuleSet implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final String BUNDLED = "rules/wermgr-rules.yml";

    private final List<EventRule> eventRules = new ArrayList<>();
    private final List<SequenceRule> sequences = new ArrayList<>();
    private final Map<String, RuleDefinition> byId = new LinkedHashMap<>();
    private final Duration suppressionWindow;
    private final Duration sequenceWindow;
    private final RuleFileVersion fileVersion;

    /** The rule file's layout. */
    public static class RuleFile {
        /** The file's own revision; a stream's rules topic takes only greater ones live. */
        public int version;
        public ArrayList<RuleDefinition> rules = new ArrayList<>();
        public ArrayList<RuleDefinition> sequences = new ArrayList<>();
        public Windows windows = new Windows();
    }

    /** Default windows, as ISO-8601 durations (PT1H). */
    public static class Windows {
        public String suppression = "PT1H";
        @JsonProperty("sequence")
        public String sequence = "PT1H";
    }

    private RuleSet(RuleFile file, String origin, byte[] bytes) {
        if (file.version < 0) {
            throw new IllegalArgumentException(origin + ": the file's version must be 0 or more");
        }
        this.fileVersion = new RuleFileVersion(file.version, sha256(bytes), new String(bytes, StandardCharsets.UTF_8), origin);
        for (RuleDefinition d : file.rules) {
            register(d, origin);
            if (!d.parts.isEmpty()) {
                throw new IllegalArgumentException(origin + ": rule " + d.id + " has parts; list it under sequences");
            }
            eventRules.add(new EventRule(d));
        }
        for (RuleDefinition d : file.sequences) {
            register(d, origin);
            Set<String> seen = new HashSet<>();
            for (String part : d.parts) {
                if (eventRule(part) == null) {
                    throw new IllegalArgumentException(origin + ": sequence " + d.id + " names unknown rule " + part);
                }
                if (!seen.add(part)) {
                    throw new IllegalArgumentException(origin + ": sequence " + d.id + " names rule " + part + " twice");
                }
            }
            if (d.parts.size() < 2 || d.parts.size() > 3) {
                throw new IllegalArgumentException(origin + ": sequence " + d.id + " needs 2 or 3 parts");
            }
            sequences.add(new SequenceRule(d));
        }
        this.suppressionWindow = parseWindow(file.windows.suppression, "suppression", origin);
        this.sequenceWindow = parseWindow(file.windows.sequence, "sequence", origin);
    }

    private void register(RuleDefinition d, String origin) {
        if (d.id == null || d.id.isBlank() || d.name == null || d.message == null) {
            throw new IllegalArgumentException(origin + ": every rule needs an id, a name and a message");
        }
        if (byId.put(d.id, d) != null) {
            throw new IllegalArgumentException(origin + ": rule id " + d.id + " appears twice");
        }
        if (d.riskScore < 0 || d.riskScore > 100) {
            throw new IllegalArgumentException(origin + ": rule " + d.id + " has a risk score outside 0..100");
        }
        for (RuleDefinition.MitreTag tag : concat(d.tactics, d.techniques)) {
            if (tag == null || tag.id == null || tag.name == null) {
                throw new IllegalArgumentException(origin + ": rule " + d.id + " has a MITRE tag without an id or a name");
            }
        }
        Matcher placeholder = SysmonField.PLACEHOLDER.matcher(d.message);
        while (placeholder.find()) {
            try {
                SysmonField.byRuleName(placeholder.group(1));
            } catch (IllegalArgumentException unknown) {
                throw new IllegalArgumentException(origin + ": rule " + d.id + "'s message names " + placeholder.group()
                        + ", which is no field: " + unknown.getMessage());
            }
        }
    }

    private static List<RuleDefinition.MitreTag> concat(List<RuleDefinition.MitreTag> a, List<RuleDefinition.MitreTag> b) {
        List<RuleDefinition.MitreTag> all = new ArrayList<>(a == null ? List.of() : a);
        if (b != null) {
            all.addAll(b);
        }
        return all;
    }

    private static Duration parseWindow(String text, String what, String origin) {
        try {
            Duration d = Duration.parse(text);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(origin + ": the " + what + " window must be positive");
            }
            return d;
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException(origin + ": the " + what + " window '" + text + "' is not an ISO-8601 duration such as PT1H");
        }
    }

    public static RuleSet bundled() {
        try (InputStream in = RuleSet.class.getClassLoader().getResourceAsStream(BUNDLED)) {
            if (in == null) {
                throw new IllegalStateException("the bundled rule file " + BUNDLED + " is missing from the classpath");
            }
            return parse(in, BUNDLED);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the bundled rule file: " + e.getMessage(), e);
        }
    }

    public static RuleSet load(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return parse(in, file.toString());
        }
    }

    static RuleSet parse(InputStream in, String origin) throws IOException {
        return parse(in.readAllBytes(), origin);
    }

    /** The rule file in these bytes (UTF-8 YAML); a fault in it is an IllegalArgumentException naming it. */
    public static RuleSet parse(byte[] bytes, String origin) {
        if (new String(bytes, StandardCharsets.UTF_8).isBlank()) {
            throw new IllegalArgumentException(origin + ": the rule file is empty");
        }
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
                .configure(DeserializationFeature.ACCEPT_FLOAT_AS_INT, false);
        RuleFile file;
        try {
            file = yaml.readValue(bytes, RuleFile.class);
        } catch (IOException e) {
            throw new IllegalArgumentException(origin + ": " + (e instanceof com.fasterxml.jackson.core.JacksonException j
                    ? oneLine(j) : e.getMessage()), e);
        }
        if (file == null) {
            throw new IllegalArgumentException(origin + ": the rule file holds no rules");
        }
        return new RuleSet(file, origin, bytes);
    }

    /** The rules of a version a stream took from its rules topic (it parsed once already). */
    public static RuleSet of(RuleFileVersion version) {
        return parse(version.text.getBytes(StandardCharsets.UTF_8), version.origin);
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    /** Which file this is: its version number, hash, text and origin. */
    public RuleFileVersion fileVersion() {
        return fileVersion;
    }

    /** The parser's complaint in one line, with where it is: YAML's own quotes lines of the file. */
    private static String oneLine(com.fasterxml.jackson.core.JacksonException e) {
        String message = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
        String first = message.lines().findFirst().orElse("").trim();
        var at = e.getLocation();
        return at == null || at.getLineNr() < 1 ? first : first + " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
    }

    public List<EventRule> eventRules() {
        return eventRules;
    }

    public List<SequenceRule> sequences() {
        return sequences;
    }

    public EventRule eventRule(String id) {
        for (EventRule r : eventRules) {
            if (r.id().equals(id)) {
                return r;
            }
        }
        return null;
    }

    public RuleDefinition definition(String id) {
        RuleDefinition d = byId.get(id);
        if (d == null) {
            throw new IllegalArgumentException("no rule with id " + id);
        }
        return d;
    }

    /** Ids of the rules some sequence chains: their findings must reach the sequence detector. */
    public Set<String> sequencePartIds() {
        Set<String> ids = new java.util.TreeSet<>();
        for (SequenceRule s : sequences) {
            ids.addAll(s.parts());
        }
        return ids;
    }

    /** Ids of the sequence rules. */
    public Set<String> sequenceIds() {
        Set<String> ids = new java.util.TreeSet<>();
        sequences.forEach(s -> ids.add(s.id()));
        return ids;
    }

    public Duration suppressionWindow() {
        return suppressionWindow;
    }

    public Duration sequenceWindow() {
        return sequenceWindow;
    }
}
