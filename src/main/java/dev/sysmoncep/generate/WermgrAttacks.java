package dev.sysmoncep.generate;

import dev.sysmoncep.records.SysmonEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * Qakbot- and TrickBot-like activity of injected {@code wermgr.exe} processes, mixed into the
 * fleet's traffic at a given density: whole intrusions (named pipe and IP-check lookup, in either
 * order), partial ones (pipe only, lookup only) and near misses that no rule may match (lookalike
 * domains, other processes asking IP-check services, a {@code xwermgr.exe}, wermgr's own
 * {@code .mui} resource). Every attacking process is new, so each scenario stands for its own
 * alerts. The events it emitted, and whether each was meant to match a rule, are kept for
 * {@link ExpectedAlerts}.
 *
 * <p>Scenarios start at random line indexes (on average {@code perMillion} per million lines) and
 * each spans at most a few minutes of event time, far inside the suppression and sequence
 * windows; one starts only if all its lines fit before the end of the file. Deterministic by seed.
 */
public final class WermgrAttacks {
    /** Services of the DNS rule's list that Qakbot and TrickBot samples were seen asking. */
    private static final String[] IP_CHECK_NAMES = {"api.ipify.org", "ipinfo.io", "checkip.amazonaws.com",
        "icanhazip.com", "wtfismyip.com", "ipecho.net", "www.myexternalip.com", "ident.me", "api.ip.sb",
        "ip.anysrc.com"};
    /** Spam blocklists Qakbot asks about its own address; the answer is mostly "not listed". */
    private static final String[] BLOCKLIST_ZONES = {"zen.spamhaus.org", "cbl.abuseat.org", "b.barracudacentral.org"};
    /** Names close to the list's that it does not hold. */
    private static final String[] LOOKALIKE_NAMES = {"myexternalip.com", "ipify.org", "api.ipify.org.example.net",
        "checkip.dyndns.org", "ifconfig.me", "ipinfo.io.cdn.example.com"};
    private static final String SYSWOW64 = "C:\\Windows\\SysWOW64\\";
    private static final String SYSTEM32 = "C:\\Windows\\System32\\";
    private static final String SVCHOST = SYSTEM32 + "svchost.exe";
    private static final String EXPLORER = "C:\\Windows\\explorer.exe";
    private static final String WERMGR_HASHES = "MD5=406C3670816C514D19148CD51F5AD4D8,"
            + "SHA256=50B8D9D483D2B415EE7030397C0BF89AE13804AC08AD69CD3A43E8C771A4F591,"
            + "IMPHASH=D361BC84AE148BA179FA6CA25CFCEE60";

    /** What the generator's fleet lends a scenario: its hosts and their ProcessGuids. */
    interface Fleet {
        int hosts();

        String hostName(int host);

        String userName(int host);

        String domainUser(int host);

        String address(int host);

        String newProcessGuid(int host, long startedMillis);
    }

    /** The kinds of scenario and their weights. */
    private enum Kind {
        PIPE_THEN_LOOKUP(30), LOOKUP_THEN_PIPE(15), PIPE_ONLY(15), LOOKUP_ONLY(15), NEAR_MISS(25);

        final int weight;

        Kind(int weight) {
            this.weight = weight;
        }
    }

    /** An emitted attack line's event and whether the scenario meant a rule to match it. */
    public record Emitted(SysmonEvent event, boolean meantToMatch) {}

    private record Scheduled(long index, SysmonEvent event, Map<String, String> extra, boolean meantToMatch) {}

    private final SplittableRandom random;
    private final double meanGap;
    private final long lines;
    private final long startMillis;
    private final double millisPerEvent;
    private final Fleet fleet;
    private final PriorityQueue<Scheduled> due = new PriorityQueue<>((a, b) -> Long.compare(a.index, b.index));
    private final List<Emitted> emitted = new ArrayList<>();
    private long nextStart;
    private int scenarios;

    WermgrAttacks(long seed, double perMillion, long lines, long startMillis, double millisPerEvent, Fleet fleet) {
        if (!(perMillion > 0) || perMillion > 1_000_000 || Double.isNaN(perMillion)) {
            throw new IllegalArgumentException("attacks per million lines must be above 0 and at most 1000000, not "
                    + perMillion);
        }
        // Its own random stream, so the attacks do not depend on how the fleet draws its numbers.
        this.random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 0x5A5A5A5AL);
        this.meanGap = 1_000_000 / perMillion;
        this.lines = lines;
        this.startMillis = startMillis;
        this.millisPerEvent = millisPerEvent;
        this.fleet = fleet;
        this.nextStart = drawGap();
    }

    /** The attack event for line {@code index}, its EventData beyond the event put in {@code extra}; or null. */
    SysmonEvent at(long index, EventDataMap extra) {
        while (index >= nextStart) {
            schedule(nextStart);
            nextStart += 1 + drawGap();
        }
        Scheduled head = due.peek();
        if (head == null || head.index > index) {
            return null;
        }
        due.poll();
        head.extra.forEach(extra::add);
        emitted.add(new Emitted(head.event, head.meantToMatch));
        return head.event;
    }

    /** The attack lines written so far, in the order written. */
    public List<Emitted> emitted() {
        return emitted;
    }

    /** Scenarios started so far. */
    public int scenarios() {
        return scenarios;
    }

    private long drawGap() {
        return (long) (-Math.log(1 - random.nextDouble()) * meanGap);
    }

    // ---- the scenarios

    private void schedule(long startIndex) {
        Scenario s = new Scenario(random.nextInt(fleet.hosts()), startMillis + (long) (startIndex * millisPerEvent));
        Kind kind = kind();
        switch (kind) {
            case PIPE_THEN_LOOKUP -> {
                s.start(maliciousImage(s.host));
                s.pipes(true);
                s.lookups(true);
            }
            case LOOKUP_THEN_PIPE -> {
                s.start(maliciousImage(s.host));
                s.lookups(true);
                s.pipes(true);
            }
            case PIPE_ONLY -> {
                s.start(maliciousImage(s.host));
                s.pipes(true);
            }
            case LOOKUP_ONLY -> {
                s.start(maliciousImage(s.host));
                s.lookups(true);
            }
            case NEAR_MISS -> nearMiss(s);
        }
        long last = startIndex;
        List<Scheduled> placed = new ArrayList<>(s.steps.size());
        for (Scheduled step : s.steps) {
            long index = Math.max(last + 1, (long) Math.ceil((step.event.eventTime - startMillis) / millisPerEvent));
            placed.add(new Scheduled(index, step.event, step.extra, step.meantToMatch));
            last = index;
        }
        // Lines shared with another scenario move on by one each; keep room for that.
        if (last + 64 < lines) {
            due.addAll(placed);
            scenarios++;
        }
    }

    private void nearMiss(Scenario s) {
        switch (random.nextInt(4)) {
            case 0 -> {
                // Windows Error Reporting's own wermgr.exe: its resource file, then lookalike names.
                s.start(SYSTEM32 + "wermgr.exe", "C:\\Windows\\system32\\wermgr.exe -upload", SYSTEM32, SVCHOST,
                        SVCHOST + " -k WerSvcGroup");
                s.imageLoad(SYSTEM32 + "en-US\\wermgr.exe.mui");
                s.dns(LOOKALIKE_NAMES[random.nextInt(LOOKALIKE_NAMES.length)], "0", documentationAddress(), false);
            }
            case 1 -> {
                // A browser asks an IP-check service and uses pipes: not wermgr.exe.
                s.start("C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe",
                        "\"C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe\" --profile-directory=Default",
                        "C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\", EXPLORER, EXPLORER);
                s.pipe(17, "\\LOCAL\\mojo." + s.pid + ".1234." + random.nextLong(1_000_000_000L, Long.MAX_VALUE), false);
                s.dns("api.ipify.org", "0", documentationAddress(), false);
            }
            case 2 -> {
                // A lookalike name on disk: the rules want wermgr.exe after a backslash.
                String dir = "C:\\Users\\" + fleet.userName(s.host) + "\\AppData\\Local\\Temp\\";
                s.start(dir + "xwermgr.exe", dir + "xwermgr.exe", dir, EXPLORER, EXPLORER);
                s.pipes(false);
                s.lookups(false);
            }
            default -> {
                // The crash reporter next to wermgr: pipes and a lookup, but WerFault.exe.
                s.start(SYSTEM32 + "WerFault.exe", SYSTEM32 + "WerFault.exe -u -p " + (4 * random.nextInt(250, 8000))
                        + " -s 1204", SYSTEM32, SVCHOST, SVCHOST + " -k WerSvcGroup");
                s.pipes(false);
                s.dns("ipinfo.io", "0", documentationAddress(), false);
            }
        }
    }

    private Kind kind() {
        int total = 0;
        for (Kind k : Kind.values()) {
            total += k.weight;
        }
        int roll = random.nextInt(total);
        for (Kind k : Kind.values()) {
            roll -= k.weight;
            if (roll < 0) {
                return k;
            }
        }
        throw new AssertionError();
    }

    /** Mostly the 32-bit wermgr Qakbot injects into; also System32, a copy in the profile, odd case. */
    private String maliciousImage(int host) {
        int roll = random.nextInt(10);
        if (roll < 7) {
            return SYSWOW64 + "wermgr.exe";
        }
        if (roll == 7) {
            return SYSTEM32 + "wermgr.exe";
        }
        if (roll == 8) {
            return "C:\\Users\\" + fleet.userName(host) + "\\AppData\\Roaming\\Microsoft\\" + letters(8) + "\\wermgr.exe";
        }
        return "C:\\WINDOWS\\SysWOW64\\WerMgr.exe";
    }

    private String documentationAddress() {
        return "::ffff:" + (random.nextBoolean() ? "192.0.2." : "203.0.113.") + random.nextInt(1, 255) + ";";
    }

    private String letters(int n) {
        char[] c = new char[n];
        for (int i = 0; i < n; i++) {
            c[i] = (char) ((i == 0 ? 'A' : 'a') + random.nextInt(26));
        }
        return new String(c);
    }

    private String pipeName() {
        StringBuilder g = new StringBuilder("\\{");
        for (int i = 0; i < 32; i++) {
            if (i == 8 || i == 12 || i == 16 || i == 20) {
                g.append('-');
            }
            g.append("0123456789ABCDEF".charAt(random.nextInt(16)));
        }
        return g.append('}').toString();
    }

    /** One process's steps, each a little after the one before. */
    private final class Scenario {
        final int host;
        final List<Scheduled> steps = new ArrayList<>();
        long time;
        String guid;
        String pid;
        String image;
        String user;

        Scenario(int host, long time) {
            this.host = host;
            this.time = time;
        }

        /** rundll32 starts the 32-bit wermgr.exe from the user's temp folder, to inject into it. */
        void start(String image) {
            String temp = "C:\\Users\\" + fleet.userName(host) + "\\AppData\\Local\\Temp\\";
            start(image, image, temp, SYSWOW64 + "rundll32.exe", "\"" + SYSWOW64 + "rundll32.exe\" " + temp + letters(6)
                    + ".dll,DllRegisterServer");
        }

        void start(String image, String commandLine, String currentDirectory, String parentImage,
                String parentCommandLine) {
            this.image = image;
            this.user = fleet.domainUser(host);
            this.pid = Integer.toString(4 * random.nextInt(250, 8000));
            this.guid = fleet.newProcessGuid(host, time);
            String parentPid = Integer.toString(4 * random.nextInt(250, 8000));
            Map<String, String> extra = new LinkedHashMap<>();
            extra.put("FileVersion", "10.0.19041.3636 (WinBuild.160101.0800)");
            extra.put("CommandLine", commandLine);
            extra.put("CurrentDirectory", currentDirectory);
            extra.put("IntegrityLevel", "Medium");
            if (image.toLowerCase(Locale.ROOT).endsWith("\\wermgr.exe")) {
                extra.put("Hashes", WERMGR_HASHES);
            }
            extra.put("ParentProcessGuid", fleet.newProcessGuid(host, time - 15_000));
            extra.put("ParentProcessId", parentPid);
            extra.put("ParentImage", parentImage);
            extra.put("ParentCommandLine", parentCommandLine);
            extra.put("ParentUser", user);
            add(event(1), extra, false);
        }

        /** A pipe created and connected, sometimes a second one created. */
        void pipes(boolean meantToMatch) {
            String name = pipeName();
            pipe(17, name, meantToMatch);
            pipe(18, name, meantToMatch);
            if (random.nextBoolean()) {
                pipe(17, pipeName(), meantToMatch);
            }
        }

        void pipe(int eventId, String name, boolean meantToMatch) {
            SysmonEvent e = event(eventId);
            e.eventType = eventId == 17 ? "CreatePipe" : "ConnectPipe";
            e.pipeName = name;
            add(e, Map.of(), meantToMatch);
        }

        /** An IP-check lookup and the call to its address; sometimes a blocklist lookup or a second service. */
        void lookups(boolean meantToMatch) {
            String address = documentationAddress();
            dns(IP_CHECK_NAMES[random.nextInt(IP_CHECK_NAMES.length)], "0", address, meantToMatch);
            connect(address.substring("::ffff:".length(), address.length() - 1));
            int roll = random.nextInt(3);
            if (roll == 0) {
                String[] ip = address.substring("::ffff:".length(), address.length() - 1).split("\\.");
                dns(ip[3] + "." + ip[2] + "." + ip[1] + "." + ip[0] + "."
                        + BLOCKLIST_ZONES[random.nextInt(BLOCKLIST_ZONES.length)], "9003", "-", meantToMatch);
            } else if (roll == 1) {
                dns(IP_CHECK_NAMES[random.nextInt(IP_CHECK_NAMES.length)], "0", address, meantToMatch);
            }
        }

        void dns(String name, String status, String results, boolean meantToMatch) {
            SysmonEvent e = event(22);
            e.queryName = name;
            e.queryStatus = status;
            e.queryResults = results;
            add(e, Map.of(), meantToMatch);
        }

        void connect(String address) {
            Map<String, String> extra = new LinkedHashMap<>();
            extra.put("Protocol", "tcp");
            extra.put("Initiated", "true");
            extra.put("SourceIsIpv6", "false");
            extra.put("SourceIp", fleet.address(host));
            extra.put("SourceHostname", "-");
            extra.put("SourcePort", Integer.toString(random.nextInt(49152, 65536)));
            extra.put("SourcePortName", "-");
            extra.put("DestinationIsIpv6", "false");
            extra.put("DestinationIp", address);
            extra.put("DestinationHostname", "-");
            extra.put("DestinationPort", "443");
            extra.put("DestinationPortName", "https");
            add(event(3), extra, false);
        }

        void imageLoad(String module) {
            Map<String, String> extra = new LinkedHashMap<>();
            extra.put("ImageLoaded", module);
            extra.put("Signed", "true");
            extra.put("Signature", "Microsoft Windows");
            extra.put("SignatureStatus", "Valid");
            add(event(7), extra, false);
        }

        private SysmonEvent event(int eventId) {
            SysmonEvent e = new SysmonEvent();
            e.host = fleet.hostName(host);
            e.eventId = eventId;
            e.processGuid = guid;
            e.processId = pid;
            e.image = image;
            e.user = user;
            return e;
        }

        /** The step comes 20 ms to 20 s after the one before: the pace of the Qakbot sample's process. */
        private void add(SysmonEvent e, Map<String, String> extra, boolean meantToMatch) {
            if (!steps.isEmpty()) {
                time += random.nextInt(20, 20_000);
            }
            e.eventTime = time;
            steps.add(new Scheduled(-1, e, extra, meantToMatch));
        }
    }
}
