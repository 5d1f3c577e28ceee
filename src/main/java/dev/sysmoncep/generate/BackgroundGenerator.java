package dev.sysmoncep.generate;

import dev.sysmoncep.generate.FleetCatalog.Account;
import dev.sysmoncep.generate.FleetCatalog.Binary;
import dev.sysmoncep.generate.FleetCatalog.Lookup;
import dev.sysmoncep.generate.FleetCatalog.ProcessKind;
import dev.sysmoncep.generate.FleetCatalog.RegistryWrite;
import dev.sysmoncep.records.SysmonEvent;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Predicate;

/**
 * Ordinary Sysmon traffic of a Windows fleet, for load tests and false-positive checks: the event
 * mix, field values and line sizes of real workstations, and never an event any sysmon-cep rule
 * matches (no wermgr.exe pipe, no lookup of an IP-check service). It does include Windows Error
 * Reporting's own wermgr.exe lookups, the real negatives of the DNS rule.
 *
 * <p>Each host keeps a table of running processes; a process's events share its ProcessGuid, and a
 * terminated process is replaced by a new one whose Process Create follows. Event times advance at
 * the configured rate with up to {@value #MAX_DISORDER_MILLIS} ms of jitter, so the stream is
 * slightly out of order as a collector's would be.
 *
 * <p>The same seed, hosts, start and rate give the same events. Not thread-safe.
 */
public final class BackgroundGenerator {
    public static final int MAX_HOSTS = 10_000;
    /** How late an event may be against one generated exactly in order. */
    public static final int MAX_DISORDER_MILLIS = 300;

    /** Running processes tracked per host; the first {@value #PINNED} live as long as the host. */
    private static final int PROCESSES_PER_HOST = 24;
    private static final int PINNED = 3;
    private static final int SERVICE_HOST_SLOT = 0;
    private static final int SHELL_SLOT = 1;
    private static final int DEFENDER_SLOT = 2;

    /**
     * Event ids and their share in thousandths: a fleet's mix, where image loads and network
     * connections dominate. Process creations (event 1) are not drawn: each termination (event 5)
     * is followed by the creation of its replacement, so both get 8%.
     */
    private static final int[] EVENT_IDS = {3, 5, 7, 10, 11, 12, 13, 17, 18, 22};
    private static final int[] EVENT_SHARES = {200, 80, 250, 50, 100, 50, 70, 15, 35, 70};
    private static final int[] EVENT_THRESHOLDS = cumulative(EVENT_SHARES);

    private static final String DOMAIN = "corp.example.com";
    private static final String NETBIOS_DOMAIN = "CORP";
    private static final String DOMAIN_SID = "S-1-5-21-1004336348-1177238915-682003330-";
    private static final String[] DEPARTMENTS = {"FIN", "HR", "ENG", "OPS", "MKT", "SAL", "LEG", "IT"};
    private static final String[] FIRST_NAMES = {"anna", "ben", "chloe", "david", "emma", "felix", "grace",
        "henry", "isla", "jonas", "karin", "liam", "maria", "noah", "olga", "paul", "rosa", "sam", "tara", "victor"};
    private static final String[] LAST_NAMES = {"keller", "smith", "novak", "garcia", "jensen", "muller", "rossi",
        "dubois", "kowalski", "andersen", "silva", "nguyen", "brown", "fischer", "lopez", "meyer", "wagner",
        "costa", "berg", "ward"};
    private static final String[] GRANTED_ACCESS = {"0x1000", "0x1400", "0x101000", "0x1410", "0x3000"};
    private static final String[] FAILED_QUERY_STATUS = {"9002", "9003", "9501", "9502", "1460"};
    private static final int[] SPAWN_THRESHOLDS = spawnThresholds();

    private static final Predicate<ProcessKind> LOOKS_UP = k -> k.lookups.length > 0;
    private static final Predicate<ProcessKind> CREATES_PIPES = k -> k.pipesCreated.length > 0;
    private static final Predicate<ProcessKind> CONNECTS_PIPES = k -> k.pipesConnected.length > 0;
    private static final Predicate<ProcessKind> CREATES_FILES = k -> k.filesCreated.length > 0;
    private static final Predicate<ProcessKind> TOUCHES_KEYS = k -> k.keysTouched.length > 0;
    private static final Predicate<ProcessKind> SETS_VALUES = k -> k.valuesSet.length > 0;

    private final SplittableRandom random;
    private final long seedOfAttacks;
    private final Host[] hosts;
    private final long startMillis;
    private final double millisPerEvent;
    private final TimeText times = new TimeText();
    private final StringBuilder text = new StringBuilder(256);
    /** The current event's extra EventData; each event fills it anew. */
    private final EventDataMap extra = new EventDataMap();
    private long produced;
    /** A process that replaced a terminated one; its Process Create is the next event. */
    private Process pendingCreate;
    private Host pendingHost;
    /** Attack scenarios mixed in, if any; they take the lines they fall on. */
    private WermgrAttacks attacks;

    /**
     * @param seed same seed, same events
     * @param hosts number of workstations, 1 to {@value #MAX_HOSTS}
     * @param start event time of the first event
     * @param eventsPerSecond events per second of event time, over the whole fleet
     */
    public BackgroundGenerator(long seed, int hosts, Instant start, double eventsPerSecond) {
        if (hosts < 1 || hosts > MAX_HOSTS) {
            throw new IllegalArgumentException("hosts must be 1 to " + MAX_HOSTS + ", not " + hosts);
        }
        if (!(eventsPerSecond > 0) || Double.isInfinite(eventsPerSecond)) {
            throw new IllegalArgumentException("events per second must be positive, not " + eventsPerSecond);
        }
        this.random = new SplittableRandom(seed);
        this.seedOfAttacks = seed;
        this.startMillis = start.toEpochMilli();
        this.millisPerEvent = 1000.0 / eventsPerSecond;
        this.hosts = new Host[hosts];
        for (int i = 0; i < hosts; i++) {
            this.hosts[i] = newHost(i);
        }
    }

    /**
     * Mixes wermgr attack scenarios into the next {@code lines} lines, on average {@code perMillion}
     * per million lines (see {@link WermgrAttacks}); call before the first event.
     *
     * @return the attacks, which know afterwards which of their events were written
     */
    public WermgrAttacks mixInAttacks(double perMillion, long lines) {
        if (produced > 0) {
            throw new IllegalStateException("attacks are mixed in before the first event");
        }
        attacks = new WermgrAttacks(seedOfAttacks, perMillion, lines, startMillis, millisPerEvent, new AttackFleet());
        return attacks;
    }

    /**
     * The next event. Its EventData fields beyond those of {@link SysmonEvent} (CommandLine, Hashes,
     * DestinationIp, TargetFilename, ...) are put in {@code extraOut}, which is cleared first.
     */
    public SysmonEvent next(Map<String, String> extraOut) {
        SysmonEvent e = nextEvent();
        extraOut.clear();
        extraOut.putAll(extra);
        return e;
    }

    private SysmonEvent nextEvent() {
        extra.clear();
        long index = produced++;
        if (attacks != null) {
            SysmonEvent attack = attacks.at(index, extra);
            if (attack != null) {
                return attack;
            }
        }
        long time = startMillis + (long) (index * millisPerEvent) + random.nextInt(MAX_DISORDER_MILLIS + 1);
        if (pendingCreate != null) {
            Process created = pendingCreate;
            pendingCreate = null;
            return processCreate(pendingHost, created, time);
        }
        Host host = hosts[random.nextInt(hosts.length)];
        int roll = random.nextInt(EVENT_THRESHOLDS[EVENT_THRESHOLDS.length - 1]);
        int eventId = EVENT_IDS[indexOf(EVENT_THRESHOLDS, roll)];
        return switch (eventId) {
            case 3 -> networkConnection(host, time);
            case 5 -> processTerminate(host, time);
            case 7 -> imageLoad(host, time);
            case 10 -> processAccess(host, time);
            case 11 -> fileCreate(host, time);
            case 12 -> registryKey(host, time);
            case 13 -> registryValue(host, time);
            case 17 -> pipe(host, 17, time);
            case 18 -> pipe(host, 18, time);
            default -> dnsQuery(host, time);
        };
    }

    /**
     * Writes {@code count} events as lines, each ended by a newline, in UTF-8.
     *
     * @return the number of bytes written (before any compression {@code out} applies)
     */
    public long writeLines(OutputStream out, long count, GeneratedFormat format) throws IOException {
        OutputStream buffered = new BufferedOutputStream(out, 1 << 16);
        SysmonLineWriter writer = new SysmonLineWriter();
        long bytes = 0;
        for (long i = 0; i < count; i++) {
            SysmonEvent e = nextEvent();
            e.format = format.lineFormat(i);
            bytes += writer.write(e, extra, e.format, buffered) + 1;
            buffered.write('\n');
        }
        buffered.flush();
        return bytes;
    }

    // ---- the events

    private SysmonEvent processCreate(Host host, Process p, long time) {
        Binary b = p.kind.binary;
        extra.add("FileVersion", b.fileVersion);
        extra.add("Description", b.description);
        extra.add("Product", b.product);
        extra.add("Company", b.company);
        extra.add("OriginalFileName", b.originalFileName);
        extra.add("CommandLine", p.commandLine);
        extra.add("CurrentDirectory", p.currentDirectory);
        extra.add("LogonGuid", host.logonGuids[p.kind.account.ordinal()]);
        extra.add("LogonId", "0x" + Long.toHexString(logonId(host, p.kind.account)));
        extra.add("TerminalSessionId", p.kind.account == Account.USER ? "1" : "0");
        extra.add("IntegrityLevel", p.kind.account == Account.USER ? "Medium" : "System");
        extra.add("Hashes", b.hashes);
        extra.add("ParentProcessGuid", p.parent.guid);
        extra.add("ParentProcessId", p.parent.pid);
        extra.add("ParentImage", p.parent.image);
        extra.add("ParentCommandLine", p.parent.commandLine);
        extra.add("ParentUser", p.parent.user);
        return event(host, 1, p, time);
    }

    private SysmonEvent processTerminate(Host host, long time) {
        int slot = PINNED + random.nextInt(PROCESSES_PER_HOST - PINNED);
        Process ended = host.processes[slot];
        Process replacement = spawn(host, spawnKind(), time);
        host.processes[slot] = replacement;
        pendingCreate = replacement;
        pendingHost = host;
        return event(host, 5, ended, time);
    }

    private SysmonEvent networkConnection(Host host, long time) {
        Process p = pick(host, LOOKS_UP);
        Lookup to = p.kind.lookups[random.nextInt(p.kind.lookups.length)];
        extra.add("Protocol", "tcp");
        extra.add("Initiated", "true");
        extra.add("SourceIsIpv6", "false");
        extra.add("SourceIp", host.address);
        // Sysmon resolves the local name only now and then; mostly it writes "-".
        extra.add("SourceHostname", random.nextInt(3) == 0 ? host.name : "-");
        extra.add("SourcePort", Integer.toString(random.nextInt(49152, 65536)));
        extra.add("SourcePortName", "-");
        extra.add("DestinationIsIpv6", "false");
        extra.add("DestinationIp", to.address);
        extra.add("DestinationHostname", "-");
        extra.add("DestinationPort", Integer.toString(to.port));
        extra.add("DestinationPortName", to.portName);
        return event(host, 3, p, time);
    }

    private SysmonEvent imageLoad(Host host, long time) {
        Process p = host.processes[random.nextInt(PROCESSES_PER_HOST)];
        Binary[] own = p.kind.ownModules;
        Binary m = own.length > 0 && random.nextInt(4) == 0
                ? own[random.nextInt(own.length)]
                : FleetCatalog.SYSTEM_MODULES[random.nextInt(FleetCatalog.SYSTEM_MODULES.length)];
        extra.add("ImageLoaded", m.path.indexOf('%') < 0 ? m.path : expand(m.path, host, p.pid));
        extra.add("FileVersion", m.fileVersion);
        extra.add("Description", m.description);
        extra.add("Product", m.product);
        extra.add("Company", m.company);
        extra.add("OriginalFileName", m.originalFileName);
        extra.add("Hashes", m.hashes);
        extra.add("Signed", "true");
        extra.add("Signature", m.signature);
        extra.add("SignatureStatus", "Valid");
        return event(host, 7, p, time);
    }

    /** Defender and services open other processes all day long to query or scan them. */
    private SysmonEvent processAccess(Host host, long time) {
        int roll = random.nextInt(4);
        int sourceSlot = roll < 2 ? DEFENDER_SLOT : roll == 2 ? SERVICE_HOST_SLOT : random.nextInt(PROCESSES_PER_HOST);
        int targetSlot = random.nextInt(PROCESSES_PER_HOST - 1);
        if (targetSlot >= sourceSlot) {
            targetSlot++;
        }
        Process source = host.processes[sourceSlot];
        Process target = host.processes[targetSlot];
        extra.add("SourceThreadId", Integer.toString(4 * random.nextInt(200, 5000)));
        extra.add("TargetProcessGUID", target.guid);
        extra.add("TargetProcessId", target.pid);
        extra.add("TargetImage", target.image);
        extra.add("GrantedAccess", GRANTED_ACCESS[random.nextInt(GRANTED_ACCESS.length)]);
        extra.add("CallTrace", callTrace(source.kind));
        extra.add("TargetUser", target.user);
        return event(host, 10, source, time);
    }

    private SysmonEvent fileCreate(Host host, long time) {
        Process p = pick(host, CREATES_FILES);
        extra.add("TargetFilename", expand(oneOf(p.kind.filesCreated), host, p.pid));
        text.setLength(0);
        times.appendUtcTime(text, random.nextInt(3) == 0 ? p.started : time);
        extra.add("CreationUtcTime", text.toString());
        return event(host, 11, p, time);
    }

    private SysmonEvent registryKey(Host host, long time) {
        Process p = pick(host, TOUCHES_KEYS);
        extra.add("EventType", random.nextInt(10) < 7 ? "CreateKey" : "DeleteKey");
        extra.add("TargetObject", expand(oneOf(p.kind.keysTouched), host, p.pid));
        return event(host, 12, p, time);
    }

    private SysmonEvent registryValue(Host host, long time) {
        Process p = pick(host, SETS_VALUES);
        RegistryWrite write = p.kind.valuesSet[random.nextInt(p.kind.valuesSet.length)];
        extra.add("EventType", "SetValue");
        extra.add("TargetObject", expand(write.target, host, p.pid));
        extra.add("Details", expand(write.details, host, p.pid));
        return event(host, 13, p, time);
    }

    private SysmonEvent pipe(Host host, int eventId, long time) {
        boolean create = eventId == 17;
        Process p = pick(host, create ? CREATES_PIPES : CONNECTS_PIPES);
        SysmonEvent e = event(host, eventId, p, time);
        e.eventType = create ? "CreatePipe" : "ConnectPipe";
        e.pipeName = expand(oneOf(create ? p.kind.pipesCreated : p.kind.pipesConnected), host, p.pid);
        return e;
    }

    private SysmonEvent dnsQuery(Host host, long time) {
        Process p = pick(host, LOOKS_UP);
        SysmonEvent e = event(host, 22, p, time);
        if (random.nextInt(100) < p.kind.randomProbePercent) {
            // Chromium's check for DNS hijacking: random single-label names that must not resolve.
            e.queryName = randomLetters(random.nextInt(7, 16), 'a');
            e.queryStatus = random.nextBoolean() ? "1460" : "9003";
            e.queryResults = "-";
            return e;
        }
        Lookup lookup = p.kind.lookups[random.nextInt(p.kind.lookups.length)];
        e.queryName = lookup.name;
        if (lookup.unanswered) {
            e.queryStatus = "9502";
            e.queryResults = "-";
        } else if (random.nextInt(100) < 88) {
            e.queryStatus = "0";
            e.queryResults = lookup.results;
        } else {
            e.queryStatus = FAILED_QUERY_STATUS[random.nextInt(FAILED_QUERY_STATUS.length)];
            e.queryResults = "-";
        }
        return e;
    }

    private static SysmonEvent event(Host host, int eventId, Process p, long time) {
        SysmonEvent e = new SysmonEvent();
        e.host = host.name;
        e.eventId = eventId;
        e.eventTime = time;
        e.processGuid = p.guid;
        e.processId = p.pid;
        e.image = p.image;
        e.user = p.user;
        return e;
    }

    /** The fleet as attack scenarios see it. */
    private final class AttackFleet implements WermgrAttacks.Fleet {
        @Override
        public int hosts() {
            return hosts.length;
        }

        @Override
        public String hostName(int host) {
            return hosts[host].name;
        }

        @Override
        public String userName(int host) {
            return hosts[host].userName;
        }

        @Override
        public String domainUser(int host) {
            return hosts[host].user;
        }

        @Override
        public String address(int host) {
            return hosts[host].address;
        }

        @Override
        public String newProcessGuid(int host, long startedMillis) {
            return processGuid(hosts[host], startedMillis);
        }
    }

    // ---- hosts and processes

    private static final class Host {
        final String name;
        final String guidPrefix;
        final String guidSuffix;
        final String user;
        final String userName;
        final String sid;
        final String address;
        final long userLogonId;
        final String[] logonGuids = new String[Account.values().length];
        final Process[] processes = new Process[PROCESSES_PER_HOST];
        Process services;
        int processCounter;

        Host(String name, String guidPrefix, String guidSuffix, String userName, String sid, String address,
                long userLogonId) {
            this.name = name;
            this.guidPrefix = guidPrefix;
            this.guidSuffix = guidSuffix;
            this.userName = userName;
            this.user = NETBIOS_DOMAIN + "\\" + userName;
            this.sid = sid;
            this.address = address;
            this.userLogonId = userLogonId;
        }
    }

    private static final class Process {
        final ProcessKind kind;
        final String guid;
        final String pid;
        final String image;
        final String commandLine;
        final String currentDirectory;
        final String user;
        final Process parent;
        final long started;

        Process(ProcessKind kind, String guid, String pid, String image, String commandLine,
                String currentDirectory, String user, Process parent, long started) {
            this.kind = kind;
            this.guid = guid;
            this.pid = pid;
            this.image = image;
            this.commandLine = commandLine;
            this.currentDirectory = currentDirectory;
            this.user = user;
            this.parent = parent;
            this.started = started;
        }
    }

    private Host newHost(int index) {
        String name = "WS-" + DEPARTMENTS[index % DEPARTMENTS.length] + "-" + (100 + index / DEPARTMENTS.length)
                + "." + DOMAIN;
        String userName = FIRST_NAMES[random.nextInt(FIRST_NAMES.length)] + "."
                + LAST_NAMES[random.nextInt(LAST_NAMES.length)];
        Host host = new Host(name, hex(random.nextLong(), 8, false), "000000000" + random.nextInt(5, 8) + "00",
                userName, DOMAIN_SID + (1100 + index), "10.20." + (100 + index / 250) + "." + (1 + index % 250),
                random.nextLong(0x20000, 0xA00000));
        long boot = startMillis - random.nextLong(3_600_000L, 72 * 3_600_000L);
        for (Account account : Account.values()) {
            long logonMillis = boot + (account == Account.USER ? random.nextLong(60_000, 600_000) : 5_000);
            host.logonGuids[account.ordinal()] = logonGuid(host, logonMillis, logonId(host, account));
        }
        host.services = new Process(null, processGuid(host, boot + 2_000), Integer.toString(4 * random.nextInt(150, 250)),
                FleetCatalog.SERVICES.path, "C:\\Windows\\system32\\services.exe", "C:\\Windows\\system32\\",
                Account.SYSTEM.user, null, boot + 2_000);
        host.processes[SERVICE_HOST_SLOT] = spawn(host, FleetCatalog.SERVICE_HOST, boot + 4_000);
        host.processes[SHELL_SLOT] = spawn(host, FleetCatalog.SHELL, boot + 60_000);
        host.processes[DEFENDER_SLOT] = spawn(host, FleetCatalog.DEFENDER, boot + 6_000);
        for (int slot = PINNED; slot < PROCESSES_PER_HOST; slot++) {
            host.processes[slot] = spawn(host, spawnKind(), random.nextLong(boot + 120_000, startMillis));
        }
        return host;
    }

    private Process spawn(Host host, ProcessKind kind, long startedMillis) {
        String pid = Integer.toString(4 * random.nextInt(250, 8000));
        Process parent = switch (kind.parent) {
            case SERVICES -> host.services;
            case SERVICE_HOST -> host.processes[SERVICE_HOST_SLOT];
            case SHELL -> host.processes[SHELL_SLOT];
        };
        return new Process(kind, processGuid(host, startedMillis), pid,
                expand(kind.binary.path, host, pid),
                expand(oneOf(kind.commandLines), host, pid),
                expand(kind.currentDirectory, host, pid),
                kind.account == Account.USER ? host.user : kind.account.user,
                parent, startedMillis);
    }

    private ProcessKind spawnKind() {
        int roll = random.nextInt(SPAWN_THRESHOLDS[SPAWN_THRESHOLDS.length - 1]);
        return FleetCatalog.SPAWNED[indexOf(SPAWN_THRESHOLDS, roll)];
    }

    /** A random running process with that habit; the service host, which has them all, if none turns up. */
    private Process pick(Host host, Predicate<ProcessKind> habit) {
        for (int attempt = 0; attempt < 4; attempt++) {
            Process p = host.processes[random.nextInt(PROCESSES_PER_HOST)];
            if (habit.test(p.kind)) {
                return p;
            }
        }
        return host.processes[SERVICE_HOST_SLOT];
    }

    /**
     * Sysmon's ProcessGuid: the machine's id, the process start time in seconds (low then high
     * half), a per-boot counter in little-endian order, then the session bytes.
     */
    private String processGuid(Host host, long startedMillis) {
        long seconds = startedMillis / 1000;
        int counter = ++host.processCounter;
        return "{" + host.guidPrefix + "-" + hex(seconds, 4, false) + "-" + hex(seconds >>> 16, 4, false) + "-"
                + hex(counter, 2, false) + hex(counter >>> 8, 2, false) + "-" + host.guidSuffix + "}";
    }

    /** Sysmon's LogonGuid: the machine's id, the logon time, then the LogonId in little-endian order. */
    private static String logonGuid(Host host, long logonMillis, long logonId) {
        long seconds = logonMillis / 1000;
        StringBuilder g = new StringBuilder(38).append('{').append(host.guidPrefix).append('-')
                .append(hex(seconds, 4, false)).append('-').append(hex(seconds >>> 16, 4, false)).append('-');
        for (int i = 0; i < 8; i++) {
            if (i == 2) {
                g.append('-');
            }
            g.append(hex(logonId >>> (8 * i), 2, false));
        }
        return g.append('}').toString();
    }

    private static long logonId(Host host, Account account) {
        return account == Account.USER ? host.userLogonId : account.logonId;
    }

    private String callTrace(ProcessKind source) {
        text.setLength(0);
        text.append("C:\\Windows\\SYSTEM32\\ntdll.dll+").append(hex(random.nextInt(0x9d000, 0x9f000), 5, false))
                .append("|C:\\Windows\\System32\\KERNELBASE.dll+").append(hex(random.nextInt(0x20000, 0x80000), 5, false));
        int frames = random.nextInt(1, 5);
        for (int i = 0; i < frames; i++) {
            Binary[] modules = source.ownModules.length > 0 && i % 2 == 0 ? source.ownModules : FleetCatalog.SYSTEM_MODULES;
            text.append('|').append(modules[random.nextInt(modules.length)].path).append('+')
                    .append(hex(random.nextInt(0x1000, 0x100000), 5, false));
        }
        text.append("|C:\\Windows\\System32\\KERNEL32.DLL+17614|C:\\Windows\\SYSTEM32\\ntdll.dll+526f1");
        return text.toString();
    }

    /** Fills a catalog template's placeholders (see {@link FleetCatalog}). */
    private String expand(String template, Host host, String pid) {
        if (template.indexOf('%') < 0) {
            return template;
        }
        StringBuilder out = new StringBuilder(template.length() + 32);
        int n = template.length();
        for (int i = 0; i < n; i++) {
            char c = template.charAt(i);
            if (c != '%' || i + 1 == n) {
                out.append(c);
                continue;
            }
            char key = template.charAt(++i);
            switch (key) {
                case 'u' -> out.append(host.userName);
                case 's' -> out.append(host.sid);
                case 'p' -> out.append(pid);
                case 'n' -> out.append(random.nextInt(10_000));
                case 'r' -> out.append(random.nextLong(1_000_000_000_000_000_000L, Long.MAX_VALUE));
                case 'h' -> out.append(hex(random.nextLong(), 8, false));
                case 'H' -> out.append(hex(random.nextLong(), 16, true));
                case 'g' -> out.append(hex(random.nextLong(), 8, true)).append('-')
                        .append(hex(random.nextLong(), 4, true)).append('-')
                        .append(hex(random.nextLong(), 4, true)).append('-')
                        .append(hex(random.nextLong(), 4, true)).append('-')
                        .append(hex(random.nextLong(), 12, true));
                case 'L' -> out.append(randomLetters(16, 'A'));
                default -> out.append('%').append(key);
            }
        }
        return out.toString();
    }

    private String randomLetters(int length, char first) {
        char[] letters = new char[length];
        for (int i = 0; i < length; i++) {
            letters[i] = (char) (first + random.nextInt(26));
        }
        return new String(letters);
    }

    private String oneOf(String[] choices) {
        return choices.length == 1 ? choices[0] : choices[random.nextInt(choices.length)];
    }

    /** The lowest {@code digits} hex digits of {@code value}, zero-padded. */
    private static String hex(long value, int digits, boolean upperCase) {
        String alphabet = upperCase ? "0123456789ABCDEF" : "0123456789abcdef";
        char[] out = new char[digits];
        for (int i = digits - 1; i >= 0; i--) {
            out[i] = alphabet.charAt((int) (value & 0xf));
            value >>>= 4;
        }
        return new String(out);
    }

    private static int[] cumulative(int[] shares) {
        int[] thresholds = new int[shares.length];
        int sum = 0;
        for (int i = 0; i < shares.length; i++) {
            sum += shares[i];
            thresholds[i] = sum;
        }
        return thresholds;
    }

    private static int[] spawnThresholds() {
        int[] weights = new int[FleetCatalog.SPAWNED.length];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = FleetCatalog.SPAWNED[i].spawnWeight;
        }
        return cumulative(weights);
    }

    /** The first index whose threshold is above {@code roll}. */
    private static int indexOf(int[] thresholds, int roll) {
        int i = 0;
        while (thresholds[i] <= roll) {
            i++;
        }
        return i;
    }
}
