package dev.sysmoncep;

import dev.sysmoncep.generate.SysmonLineWriter;
import dev.sysmoncep.records.SourceFormat;
import dev.sysmoncep.records.SysmonEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Attack scenarios for the end-to-end tests, built in the shape of real Sysmon events, with the
 * alerts a correct detector raises on them. Each scenario stands on its own host or process.
 */
public final class Scenarios {
    public static final String PIPE_RULE = "2f3a4092-548b-421c-9caa-84918e1787ef";
    public static final String IP_CHECK_RULE = "ed313326-a0f9-11eb-a89c-acde48001122";
    public static final String SEQUENCE_RULE = "f1a81b48-2139-4631-b968-ff5db9979678";
    public static final String WERMGR = "C:\\Windows\\SysWOW64\\wermgr.exe";
    public static final Instant T0 = Instant.parse("2024-03-12T09:14:05.125Z");

    private Scenarios() {}

    /** An expected alert: rule, host, process and how many events or sequences it aggregates. */
    public record Expected(String ruleId, String host, String processGuid, long count) {}

    public static SysmonEvent pipe(String host, String guid, String pid, Instant t, int eventId, String pipeName) {
        SysmonEvent e = base(host, guid, pid, t, eventId);
        e.eventType = eventId == 17 ? "CreatePipe" : "ConnectPipe";
        e.pipeName = pipeName;
        return e;
    }

    public static SysmonEvent dns(String host, String guid, String pid, Instant t, String query) {
        SysmonEvent e = base(host, guid, pid, t, 22);
        e.queryName = query;
        e.queryStatus = "0";
        e.queryResults = "::ffff:104.26.12.205;";
        return e;
    }

    private static SysmonEvent base(String host, String guid, String pid, Instant t, int eventId) {
        SysmonEvent e = new SysmonEvent();
        e.host = host;
        e.eventId = eventId;
        e.eventTime = t.toEpochMilli();
        e.processGuid = guid;
        e.processId = pid;
        e.image = WERMGR;
        e.user = "NT AUTHORITY\\SYSTEM";
        return e;
    }

    static Instant at(Duration d) {
        return T0.plus(d);
    }

    /** Events of the scenarios, in time order, and the alerts they must raise. */
    public record Scenario(List<SysmonEvent> events, List<Expected> expected) {}

    public static Scenario qakbotLike() {
        List<SysmonEvent> ev = new ArrayList<>();
        List<Expected> ex = new ArrayList<>();
        String a = "WS-FIN-07.corp.example.com";
        // 1. One process: pipe created, then connected twice, then two lookups: all three rules.
        String g1 = "{3CFDEE80-2F7D-605B-F50A-00000000AE01}";
        ev.add(pipe(a, g1, "7172", at(Duration.ZERO), 17, "\\pipe\\{8C1A-qbot}"));
        ev.add(pipe(a, g1, "7172", at(Duration.ofSeconds(1)), 18, "\\pipe\\{8C1A-qbot}"));
        ev.add(pipe(a, g1, "7172", at(Duration.ofMinutes(2)), 18, "\\pipe\\{8C1A-qbot}"));
        ev.add(dns(a, g1, "7172", at(Duration.ofMinutes(5)), "api.ipify.org"));
        ev.add(dns(a, g1, "7172", at(Duration.ofMinutes(6)), "api.ipify.org"));
        ex.add(new Expected(PIPE_RULE, a, g1, 1));
        ex.add(new Expected(PIPE_RULE, a, g1, 2));
        ex.add(new Expected(IP_CHECK_RULE, a, g1, 2));
        ex.add(new Expected(SEQUENCE_RULE, a, g1, 1));
        // 2. The other order: the lookup first, the pipe ten minutes later.
        String g2 = "{3CFDEE80-2F7D-605B-F50A-00000000AE02}";
        ev.add(dns(a, g2, "7200", at(Duration.ofMinutes(10)), "WWW.MyExternalIP.com"));
        ev.add(pipe(a, g2, "7200", at(Duration.ofMinutes(20)), 18, "\\pipe\\ntsvcs-2"));
        ex.add(new Expected(IP_CHECK_RULE, a, g2, 1));
        ex.add(new Expected(PIPE_RULE, a, g2, 1));
        ex.add(new Expected(SEQUENCE_RULE, a, g2, 1));
        // 3. Both parts, but two hours apart: no sequence.
        String g3 = "{3CFDEE80-2F7D-605B-F50A-00000000AE03}";
        ev.add(pipe(a, g3, "7300", at(Duration.ofMinutes(30)), 17, "\\pipe\\late"));
        ev.add(dns(a, g3, "7300", at(Duration.ofMinutes(150)), "ipinfo.io"));
        ex.add(new Expected(PIPE_RULE, a, g3, 1));
        ex.add(new Expected(IP_CHECK_RULE, a, g3, 1));
        // 4. One part each in two processes of one host: no sequence.
        String g4 = "{3CFDEE80-2F7D-605B-F50A-00000000AE04}";
        String g5 = "{3CFDEE80-2F7D-605B-F50A-00000000AE05}";
        ev.add(pipe(a, g4, "7400", at(Duration.ofMinutes(40)), 17, "\\pipe\\split"));
        ev.add(dns(a, g5, "7500", at(Duration.ofMinutes(41)), "icanhazip.com"));
        ex.add(new Expected(PIPE_RULE, a, g4, 1));
        ex.add(new Expected(IP_CHECK_RULE, a, g5, 1));
        // 5. One pipe group over 61 minutes: the suppression window splits it in two alerts.
        String b = "WS-HR-02.corp.example.com";
        String g6 = "{3CFDEE80-2F7D-605B-F50A-00000000AE06}";
        ev.add(pipe(b, g6, "800", at(Duration.ZERO), 18, "\\pipe\\long"));
        ev.add(pipe(b, g6, "800", at(Duration.ofMinutes(30)), 18, "\\pipe\\long"));
        ev.add(pipe(b, g6, "800", at(Duration.ofMinutes(61)), 18, "\\pipe\\long"));
        ex.add(new Expected(PIPE_RULE, b, g6, 2));
        ex.add(new Expected(PIPE_RULE, b, g6, 1));
        // 6. Near misses on a third host: nothing fires.
        String c = "WS-IT-11.corp.example.com";
        String g7 = "{3CFDEE80-2F7D-605B-F50A-00000000AE07}";
        SysmonEvent notWermgr = pipe(c, g7, "900", at(Duration.ofMinutes(1)), 17, "\\pipe\\x");
        notWermgr.image = "C:\\Tools\\notwermgr.exe";
        ev.add(notWermgr);
        for (String nearMiss : List.of("notident.me", "myexternalip.com", "ident.me.example.net",
                "umwatson.events.data.microsoft.com")) {
            ev.add(dns(c, g7, "900", at(Duration.ofMinutes(2)), nearMiss));
        }
        ev.sort(java.util.Comparator.comparingLong(e -> e.eventTime));
        return new Scenario(ev, ex);
    }

    /** Renders events as lines of one format, optionally shuffled, and writes them to a file. */
    public static Path write(Path file, List<SysmonEvent> events, SourceFormat format, long shuffleSeed) throws IOException {
        List<String> lines = new ArrayList<>();
        for (SysmonEvent e : events) {
            lines.add(SysmonLineWriter.render(e, Map.of(), format));
        }
        if (shuffleSeed != 0) {
            Collections.shuffle(lines, new Random(shuffleSeed));
        }
        Files.createDirectories(file.getParent());
        Files.write(file, lines, StandardCharsets.UTF_8);
        return file;
    }
}
