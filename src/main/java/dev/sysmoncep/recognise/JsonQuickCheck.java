package dev.sysmoncep.recognise;

import dev.sysmoncep.recognise.FieldValues.Field;
import dev.sysmoncep.records.SourceFormat;
import dev.sysmoncep.scan.ByteWords;
import dev.sysmoncep.scan.StopMarks;
import dev.sysmoncep.scan.Stops;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Tells what a JSON line no rule can match is (an event of its format and its time, or a record of
 * another channel) by one scan of its bytes, without Jackson and without decoding what it does not
 * need: the whole structure is checked as Jackson checks it (strings and their escapes, numbers,
 * literals, nesting, one value per line), and only the few values that decide the outcome are read
 * (event id, channel and provider, UtcTime and the record's time). Whatever it cannot settle as the
 * full parser would (a fault of any kind, a field given twice, a key with escapes, a time only in the
 * Message) it leaves to the full parser, which then gives its outcome and reason; so it never
 * classifies a line otherwise than {@link SysmonLineParser#parse} does (the property tests check it).
 */
final class JsonQuickCheck {
    private static final byte[] SYSMON_CHANNEL = "Microsoft-Windows-Sysmon/Operational".getBytes(StandardCharsets.US_ASCII);
    /** The ASCII characters that may follow a backslash alone: Message fields have one every few dozen bytes. */
    private static final boolean[] SHORT_ESCAPES = AsciiSet.of("\"\\/bfnrt");
    private static final boolean[] HEX_DIGITS = AsciiSet.of("0123456789abcdefABCDEF");
    /** Past these the full parser decides (Jackson's limits for numbers, names and nesting lie beyond). */
    private static final int MAX_DEPTH = 200;
    private static final int MAX_NUMBER_CHARS = 100;
    private static final int MAX_KEY_BYTES = 1000;

    /** The candidate and parent paths of JsonEventReader as a trie over their bytes, '.' between names. */
    private static final PathTrie PATHS = PathTrie.of(JsonEventReader.candidatePaths(), JsonEventReader.parentPaths());

    private byte[] buf;
    private int pos;
    private int end;
    private boolean ecs;
    /** Per field: the best rank seen, and where its value lies (a string's bytes between its quotes). */
    private final int[] rank = new int[Field.values().length];
    private final int[] valueStart = new int[rank.length];
    private final int[] valueEnd = new int[rank.length];
    private final boolean[] valueEscaped = new boolean[rank.length];
    /** Candidate paths seen, by trie node, to tell a field given twice. */
    private final boolean[] seenNode = new boolean[PATHS.size()];
    private int[] seenNodes = new int[16];
    private int seenCount;
    /** Whether the string {@link #string()} last went over has an escape. */
    private boolean stringEscaped;

    /** Where the line's string runs stop: strings are crossed a word of marks at a time. */
    private final StopMarks stops = new StopMarks(Stops.JSON_STRING);

    /** What {@link #check} found: a Sysmon event or a record of another channel, its format, its time. */
    boolean sysmon;
    SourceFormat format;
    long eventTime;

    /**
     * Checks the JSON object in {@code buf[start, end)}: trimmed, valid UTF-8 without control bytes
     * (the caller checks those first). False when only the full parser can tell what it is.
     */
    boolean check(byte[] buf, int start, int end) {
        this.buf = buf;
        this.pos = start;
        this.end = end;
        stops.mark(buf, start, end);
        ecs = false;
        java.util.Arrays.fill(rank, Integer.MAX_VALUE);
        for (int i = 0; i < seenCount; i++) {
            seenNode[seenNodes[i]] = false;
        }
        seenCount = 0;
        if (!object(PathTrie.ROOT, 1) || skipBlanks() != end) {
            return false;
        }
        return decide();
    }

    /** What the full parser's normalisation would make of the values found; false where it would refuse. */
    private boolean decide() {
        format = ecs ? SourceFormat.ECS_JSON : SourceFormat.FLAT_JSON;
        if (!isSysmonChannel()) {
            return decideChannel();
        }
        return decideEvent();
    }

    /** Whether the channel is Sysmon's own, spelled as Windows spells it: most lines, told without a string. */
    private boolean isSysmonChannel() {
        int i = Field.CHANNEL.ordinal();
        if (rank[i] == Integer.MAX_VALUE || valueEscaped[i] || valueEnd[i] - valueStart[i] != SYSMON_CHANNEL.length) {
            return false;
        }
        return java.util.Arrays.equals(buf, valueStart[i], valueEnd[i], SYSMON_CHANNEL, 0, SYSMON_CHANNEL.length);
    }

    private boolean decideChannel() {
        String channel = text(Field.CHANNEL);
        String provider = text(Field.PROVIDER);
        if (channel == null && has(Field.CHANNEL) || provider == null && has(Field.PROVIDER)) {
            return false; // escapes in them: the full parser decodes
        }
        if ((channel != null || provider != null) && !SysmonLineParser.mentionsSysmon(channel)
                && !SysmonLineParser.mentionsSysmon(provider)) {
            sysmon = false;
            return true;
        }
        return decideEvent();
    }

    private boolean decideEvent() {
        int id = Field.EVENT_ID.ordinal();
        if (!hasPlain(id) || SysmonLineParser.eventId(buf, valueStart[id], valueEnd[id]) < 0) {
            return false;
        }
        int utcTime = Field.UTC_TIME.ordinal();
        if (hasPlain(utcTime)) {
            eventTime = SysmonTime.parseUtcTime(buf, valueStart[utcTime], valueEnd[utcTime]);
        } else if (has(Field.UTC_TIME) || !ecs && has(Field.MESSAGE)) {
            return false; // UtcTime escaped, or perhaps in the Message: the full parser reads it
        } else {
            String recordTime = text(Field.RECORD_TIME);
            eventTime = recordTime == null ? SysmonTime.INVALID : SysmonTime.parseRecordTime(recordTime.trim());
        }
        sysmon = true;
        return eventTime != SysmonTime.INVALID;
    }

    private boolean has(Field f) {
        return rank[f.ordinal()] != Integer.MAX_VALUE;
    }

    /** Whether the field of this ordinal has a value without escapes, which can be read where it lies. */
    private boolean hasPlain(int field) {
        return rank[field] != Integer.MAX_VALUE && !valueEscaped[field];
    }

    /** The field's value as text, or null when absent or written with escapes. */
    private String text(Field f) {
        int i = f.ordinal();
        if (rank[i] == Integer.MAX_VALUE || valueEscaped[i]) {
            return null;
        }
        return new String(buf, valueStart[i], valueEnd[i] - valueStart[i], StandardCharsets.UTF_8);
    }

    /** An object from buf[pos] ('{'); {@code node} is its path's trie node, or -1 when none of its keys matters. */
    private boolean object(int node, int depth) {
        if (depth > MAX_DEPTH) {
            return false;
        }
        pos++;
        if (skipBlanks() < end && buf[pos] == '}') {
            pos++;
            return true;
        }
        while (true) {
            if (skipBlanks() >= end || buf[pos] != '"') {
                return false;
            }
            int keyStart = pos + 1;
            if (!string()) {
                return false;
            }
            int keyEnd = pos - 1;
            if (skipBlanks() >= end || buf[pos] != ':') {
                return false;
            }
            pos++;
            if (skipBlanks() >= end) {
                return false;
            }
            if (keyEnd - keyStart > MAX_KEY_BYTES) {
                return false;
            }
            int keyNode = -1;
            if (node != -1) {
                if (stringEscaped) {
                    return false;
                }
                keyNode = PATHS.keyNode(node, buf, keyStart, keyEnd);
                if (keyNode == PathTrie.DOTTED) {
                    keyNode = PATHS.walk(node, node == PathTrie.ROOT ? -1 : '.', buf, keyStart, keyEnd);
                    if (!ecs) {
                        ecs = PATHS.passesEcsRoot(node, buf, keyStart, keyEnd);
                    }
                } else if (!ecs) {
                    ecs = PATHS.ecsBelow(node);
                }
            }
            if (!member(keyNode, depth)) {
                return false;
            }
            if (skipBlanks() >= end) {
                return false;
            }
            if (buf[pos] == ',') {
                pos++;
            } else if (buf[pos] == '}') {
                pos++;
                return true;
            } else {
                return false;
            }
        }
    }

    /** A member's value at buf[pos], under the trie node of its path (-1: none). */
    private boolean member(int node, int depth) {
        byte b = buf[pos];
        boolean candidate = node >= 0 && PATHS.field(node) != null;
        if (candidate) {
            if (seenNode[node]) {
                return false; // given twice: whether the values differ is the full parser's to tell
            }
            seenNode[node] = true;
            if (seenCount == seenNodes.length) {
                seenNodes = java.util.Arrays.copyOf(seenNodes, seenCount * 2);
            }
            seenNodes[seenCount++] = node;
        }
        if (b == '{') {
            return object(node >= 0 && PATHS.isParent(node) ? node : -1, depth + 1);
        }
        if (b == '[') {
            return array(depth + 1);
        }
        int start = pos;
        boolean isString = b == '"';
        if (isString) {
            if (!string()) {
                return false;
            }
        } else if (!scalar()) {
            return false;
        }
        if (candidate) {
            boolean isNull = !isString && buf[start] == 'n';
            int valueFrom = isString ? start + 1 : start;
            int valueTo = isString ? pos - 1 : pos;
            // An empty UtcTime too, which is no time: the full parser tells whether the Message fills it.
            if (!isNull && (valueTo > valueFrom || PATHS.field(node) == Field.UTC_TIME)) {
                offer(PATHS.field(node), PATHS.rank(node), valueFrom, valueTo, isString && stringEscaped);
            }
        }
        return true;
    }

    private void offer(Field field, int r, int from, int to, boolean escaped) {
        int i = field.ordinal();
        if (r < rank[i]) {
            rank[i] = r;
            valueStart[i] = from;
            valueEnd[i] = to;
            valueEscaped[i] = escaped;
        }
    }

    private boolean array(int depth) {
        if (depth > MAX_DEPTH) {
            return false;
        }
        pos++;
        if (skipBlanks() < end && buf[pos] == ']') {
            pos++;
            return true;
        }
        while (true) {
            if (skipBlanks() >= end || !member(-1, depth)) {
                return false;
            }
            if (skipBlanks() >= end) {
                return false;
            }
            if (buf[pos] == ',') {
                pos++;
            } else if (buf[pos] == ']') {
                pos++;
                return true;
            } else {
                return false;
            }
        }
    }

    /** A string from its opening quote at buf[pos] to just past its closing one, escapes checked as Jackson does. */
    private boolean string() {
        stringEscaped = false;
        for (int i = stops.next(pos + 1); i < end; i = i < end && buf[i] == '\\' ? i : stops.next(i)) {
            // An escape right after an escape (Windows' \r\n) is taken without a look at the marks.
            byte b = buf[i];
            if (b == '"') {
                pos = i + 1;
                return true;
            }
            if (b != '\\') {
                return false; // an unescaped control character (a tab among them) is no JSON string
            }
            stringEscaped = true;
            if (i + 1 >= end) {
                return false;
            }
            byte e = buf[i + 1];
            if (e == 'u') {
                if (i + 5 >= end || !hex(buf[i + 2]) || !hex(buf[i + 3]) || !hex(buf[i + 4]) || !hex(buf[i + 5])) {
                    return false;
                }
                i += 6;
            } else if (e >= 0 && SHORT_ESCAPES[e]) {
                i += 2;
            } else {
                return false;
            }
        }
        return false;
    }

    /** A number or a literal (true, false, null) from buf[pos]. */
    private boolean scalar() {
        byte b = buf[pos];
        if (b == 't') {
            return literal("true");
        }
        if (b == 'f') {
            return literal("false");
        }
        if (b == 'n') {
            return literal("null");
        }
        int start = pos;
        int i = pos;
        if (i < end && buf[i] == '-') {
            i++;
        }
        if (i < end && buf[i] == '0') {
            i++;
        } else {
            int digits = i;
            while (i < end && buf[i] >= '0' && buf[i] <= '9') {
                i++;
            }
            if (i == digits) {
                return false;
            }
        }
        if (i < end && buf[i] == '.') {
            int digits = ++i;
            while (i < end && buf[i] >= '0' && buf[i] <= '9') {
                i++;
            }
            if (i == digits) {
                return false;
            }
        }
        if (i < end && (buf[i] == 'e' || buf[i] == 'E')) {
            i++;
            if (i < end && (buf[i] == '+' || buf[i] == '-')) {
                i++;
            }
            int digits = i;
            while (i < end && buf[i] >= '0' && buf[i] <= '9') {
                i++;
            }
            if (i == digits) {
                return false;
            }
        }
        if (i - start > MAX_NUMBER_CHARS || (i < end && !endsValue(buf[i]))) {
            return false;
        }
        pos = i;
        return true;
    }

    private boolean literal(String word) {
        if (pos + word.length() > end) {
            return false;
        }
        for (int k = 0; k < word.length(); k++) {
            if (buf[pos + k] != word.charAt(k)) {
                return false;
            }
        }
        int after = pos + word.length();
        if (after < end && !endsValue(buf[after])) {
            return false;
        }
        pos = after;
        return true;
    }

    private static boolean endsValue(byte b) {
        return b == ',' || b == '}' || b == ']' || b == ' ' || b == '\t' || b == '\r' || b == '\n';
    }

    private static boolean hex(byte b) {
        return b >= 0 && HEX_DIGITS[b];
    }

    private int skipBlanks() {
        while (pos < end) {
            byte b = buf[pos];
            // Compact JSON has no blanks: most calls end at the first test.
            if (b > ' ' || (b != ' ' && b != '\t' && b != '\r' && b != '\n')) {
                break;
            }
            pos++;
        }
        return pos;
    }

    /** The JSON reader's candidate and parent paths over bytes. */
    static final class PathTrie {
        static final int ROOT = 0;
        private static final String[] ECS_ROOTS = {"winlog", "process", "dns", "file", "event", "host"};

        private int[][] next = new int[64][];
        private Field[] fields = new Field[64];
        private int[] ranks = new int[64];
        private boolean[] parents = new boolean[64];
        /** Nodes of "winlog." and the other ECS roots with their dot: a path through one is ECS. */
        private boolean[] ecsRoots = new boolean[64];
        private int size = 1;

        static PathTrie of(Map<String, Map.Entry<Field, Integer>> candidates, Iterable<String> parents) {
            PathTrie t = new PathTrie();
            candidates.forEach((path, c) -> {
                int n = t.add(path);
                t.fields[n] = c.getKey();
                t.ranks[n] = c.getValue();
            });
            parents.forEach(p -> t.parents[t.add(p)] = true);
            for (String root : ECS_ROOTS) {
                t.ecsRoots[t.add(root + ".")] = true;
            }
            // Keys without a dot, looked up whole: under the root or a parent, every path one key further.
            Set<String> paths = new HashSet<>(candidates.keySet());
            parents.forEach(paths::add);
            for (String path : paths) {
                int node = t.walk(ROOT, -1, path.getBytes(StandardCharsets.UTF_8), 0, path.length());
                int lastDot = path.lastIndexOf('.');
                String parent = lastDot < 0 ? null : path.substring(0, lastDot);
                String key = path.substring(lastDot + 1);
                byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
                int from = parent == null ? ROOT : t.walk(ROOT, -1, parent.getBytes(StandardCharsets.UTF_8), 0, parent.length());
                if (parent == null || t.parents[from]) {
                    t.putKey(from, keyBytes, node);
                }
            }
            return t;
        }

        /** Marks a key looked up by {@link #keyNode} that holds a dot: only the byte walk can follow it. */
        static final int DOTTED = -2;
        private static final long DOTS = ByteWords.repeated('.');
        private static final int KEY_SLOTS = 1024;
        /** Open addressing over (node, key): the slot's entry + 1, or 0 when empty. */
        private final int[] keySlots = new int[KEY_SLOTS];
        private int[] keyFrom = new int[64];
        private int[] keyTo = new int[64];
        private long[] keyHash = new long[64];
        private byte[][] keyText = new byte[64][];
        private int keys;

        private void putKey(int from, byte[] key, int to) {
            long h = hash(from, key, 0, key.length);
            if (keys == keyFrom.length) {
                keyFrom = java.util.Arrays.copyOf(keyFrom, keys * 2);
                keyTo = java.util.Arrays.copyOf(keyTo, keys * 2);
                keyHash = java.util.Arrays.copyOf(keyHash, keys * 2);
                keyText = java.util.Arrays.copyOf(keyText, keys * 2);
            }
            keyFrom[keys] = from;
            keyTo[keys] = to;
            keyHash[keys] = h;
            keyText[keys] = key;
            int slot = (int) (h >>> 54) & (KEY_SLOTS - 1);
            while (keySlots[slot] != 0) {
                slot = (slot + 1) & (KEY_SLOTS - 1);
            }
            keySlots[slot] = ++keys;
        }

        /**
         * The node one key {@code buf[from, to)} below {@code node} (the root, or a parent), as
         * {@link #walk} would find it, or -1; {@link #DOTTED} for a key with a dot in it.
         */
        int keyNode(int node, byte[] buf, int from, int to) {
            long h = hash(node, buf, from, to);
            if (h == DOTTED) {
                return DOTTED;
            }
            int slot = (int) (h >>> 54) & (KEY_SLOTS - 1);
            for (int e = keySlots[slot]; e != 0; e = keySlots[slot]) {
                int i = e - 1;
                if (keyHash[i] == h && keyFrom[i] == node
                        && java.util.Arrays.equals(buf, from, to, keyText[i], 0, keyText[i].length)) {
                    return keyTo[i];
                }
                slot = (slot + 1) & (KEY_SLOTS - 1);
            }
            return -1;
        }

        /** A hash of the node and the key's bytes, eight at a time; {@link #DOTTED} if the key has a dot. */
        private static long hash(int node, byte[] buf, int from, int to) {
            long h = (node + 1) * 0x9E3779B97F4A7C15L;
            int i = from;
            for (; i + Long.BYTES <= to; i += Long.BYTES) {
                long w = ByteWords.word(buf, i);
                if (ByteWords.bytesEqual(w, DOTS) != 0) {
                    return DOTTED;
                }
                h = (h ^ w) * 0xBF58476D1CE4E5B9L;
                h ^= h >>> 31;
            }
            for (; i < to; i++) {
                byte b = buf[i];
                if (b == '.') {
                    return DOTTED;
                }
                h = (h ^ (b & 0xFF)) * 0x94D049BB133111EBL;
            }
            h ^= h >>> 29;
            return h == DOTTED ? 0 : h;
        }

        /** Whether a key without a dot under {@code node} makes the line ECS, as {@link #passesEcsRoot} tells. */
        boolean ecsBelow(int node) {
            if (node == ROOT) {
                return false;
            }
            int n = child(node, '.', false);
            return n >= 0 && ecsRoots[n];
        }

        int size() {
            return size;
        }

        private int add(String path) {
            int n = ROOT;
            for (byte b : path.getBytes(StandardCharsets.UTF_8)) {
                n = child(n, b & 0xFF, true);
            }
            return n;
        }

        private int child(int n, int b, boolean create) {
            int[] row = next[n];
            if (row == null) {
                if (!create) {
                    return -1;
                }
                row = next[n] = new int[256];
                java.util.Arrays.fill(row, -1);
            }
            if (row[b] == -1 && create) {
                ensure(size + 1);
                row[b] = size++;
            }
            return row[b];
        }

        private void ensure(int n) {
            if (n > fields.length) {
                int grown = fields.length * 2;
                next = java.util.Arrays.copyOf(next, grown);
                fields = java.util.Arrays.copyOf(fields, grown);
                ranks = java.util.Arrays.copyOf(ranks, grown);
                parents = java.util.Arrays.copyOf(parents, grown);
                ecsRoots = java.util.Arrays.copyOf(ecsRoots, grown);
            }
        }

        /** The node of {@code node}'s path, then {@code separator} (-1: none), then buf[from, to); -1 if no path goes so. */
        int walk(int node, int separator, byte[] buf, int from, int to) {
            int n = node;
            if (separator >= 0) {
                n = child(n, separator, false);
            }
            for (int i = from; i < to && n >= 0; i++) {
                n = child(n, buf[i] & 0xFF, false);
            }
            return n;
        }

        /** Whether the key's path (under {@code node}) runs through an ECS root and on: a path the JSON reader takes for ECS. */
        boolean passesEcsRoot(int node, byte[] buf, int from, int to) {
            int n = node == ROOT ? ROOT : child(node, '.', false);
            if (n >= 0 && ecsRoots[n]) {
                return true;
            }
            for (int i = from; i < to && n >= 0; i++) {
                n = child(n, buf[i] & 0xFF, false);
                if (n >= 0 && ecsRoots[n]) {
                    return true;
                }
            }
            return false;
        }

        Field field(int node) {
            return fields[node];
        }

        int rank(int node) {
            return ranks[node];
        }

        boolean isParent(int node) {
            return parents[node];
        }
    }
}
