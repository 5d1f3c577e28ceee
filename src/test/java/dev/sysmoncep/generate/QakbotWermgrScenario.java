package dev.sysmoncep.generate;

import dev.sysmoncep.records.SourceFormat;
import dev.sysmoncep.records.SysmonEvent;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The definition of {@code job/samples/attack/qakbot-wermgr.xml}: a Qakbot-like intrusion on one
 * made-up workstation, in Splunk's XmlWinEventLog, built on the shapes of the real events in
 * {@code job/samples/real}. The story and the alerts it must raise are in the README beside the file.
 *
 * <p>A user opens an invoice DLL from an Outlook attachment; rundll32 starts
 * {@code C:\Windows\SysWOW64\wermgr.exe} (process G) and injects into it; G creates and connects
 * named pipes, looks up IP-check services and calls home. Later a second injected wermgr (G2) only
 * looks up api.ipify.org. Around it: ordinary noise, a near miss and a benign wermgr on another host.
 * Addresses outside Microsoft's are documentation ranges (RFC 5737); hashes are made up.
 */
final class QakbotWermgrScenario {
    static final Path FILE = Path.of("job/samples/attack/qakbot-wermgr.xml");

    static final String HOST = "WS-FIN-07.corp.example.com";
    static final String OTHER_HOST = "WS-HR-03.corp.example.com";
    static final String USER = "CORP\\m.keller";
    static final String SYSTEM = "NT AUTHORITY\\SYSTEM";
    /** The injected wermgr.exe that does it all: both rules and the sequence. */
    static final String G = "{8A3F1C2D-1CED-65F0-013F-000000000600}";
    /** The second injected wermgr.exe: one IP-check lookup, no pipe. */
    static final String G2 = "{8A3F1C2D-22A4-65F0-0162-000000000600}";

    static final String PIPE = "\\{3A4B8E21-9C0D-4F5E-A1B2-C3D4E5F60718}";
    static final String SECOND_PIPE = "\\{7C2D1E90-5B4A-4E3F-8D6C-2B1A0F9E8D7C}";
    static final String IPIFY_RESULTS = "::ffff:192.0.2.10;::ffff:192.0.2.11;";

    private static final String SYSWOW64 = "C:\\Windows\\SysWOW64\\";
    private static final String WINDOWS = "Microsoft® Windows® Operating System";
    private static final String TEMP_DIR = "C:\\Users\\m.keller\\AppData\\Local\\Temp\\Invoice_0312\\";
    private static final String INVOICE_DLL = TEMP_DIR + "Invoice_0312.dll";
    private static final String USER_SID = "S-1-5-21-1004336348-1177238915-682003330-1106";
    private static final String USER_LOGON_GUID = "{8A3F1C2D-0B0D-65F0-213B-4A0000000000}";
    private static final Map<String, String> SYSTEM_LOGON_GUIDS = Map.of(
            HOST, "{8A3F1C2D-0A55-65F0-E703-000000000000}", OTHER_HOST, "{5E7B2A90-097F-65F0-E703-000000000000}");

    /** A running process as its events name it. */
    private record Process(String host, String guid, String pid, String image, String user, String commandLine) {}

    /** One event and its EventData beyond what {@link SysmonEvent} carries. */
    record Step(SysmonEvent event, Map<String, String> extra) {}

    private static final Process SVCHOST = new Process(HOST, "{8A3F1C2D-0A58-65F0-0E00-000000000600}", "892",
            "C:\\Windows\\System32\\svchost.exe", SYSTEM, "C:\\Windows\\system32\\svchost.exe -k DcomLaunch -p");
    private static final Process DEFENDER = new Process(HOST, "{8A3F1C2D-0A5D-65F0-2400-000000000600}", "3020",
            "C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24010.12-0\\MsMpEng.exe", SYSTEM,
            "\"C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24010.12-0\\MsMpEng.exe\"");
    private static final Process EXPLORER = new Process(HOST, "{8A3F1C2D-0B14-65F0-6C00-000000000600}", "5120",
            "C:\\Windows\\explorer.exe", USER, "C:\\Windows\\Explorer.EXE");
    private static final Process OUTLOOK = new Process(HOST, "{8A3F1C2D-0C20-65F0-9100-000000000600}", "7344",
            "C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE", USER,
            "\"C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE\" ");
    private static final Process EDGE = new Process(HOST, "{8A3F1C2D-0DDD-65F0-A700-000000000600}", "8812",
            "C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe", USER,
            "\"C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe\" --profile-directory=Default");
    private static final Process RUNDLL32 = new Process(HOST, "{8A3F1C2D-1CDE-65F0-013D-000000000600}", "6216",
            SYSWOW64 + "rundll32.exe", USER, "\"" + SYSWOW64 + "rundll32.exe\" " + INVOICE_DLL + ",DllRegisterServer");
    private static final Process WERMGR_G = new Process(HOST, G, "4312", SYSWOW64 + "wermgr.exe", USER,
            SYSWOW64 + "wermgr.exe");
    private static final Process WERMGR_G2 = new Process(HOST, G2, "9076", SYSWOW64 + "wermgr.exe", USER,
            SYSWOW64 + "wermgr.exe");

    private static final Process HR_SVCHOST = new Process(OTHER_HOST, "{5E7B2A90-0982-65F0-1300-000000000500}",
            "1436", "C:\\Windows\\System32\\svchost.exe", SYSTEM, "C:\\Windows\\System32\\svchost.exe -k WerSvcGroup");
    private static final Process HR_EDGE = new Process(OTHER_HOST, "{5E7B2A90-1288-65F0-B200-000000000500}", "6620",
            "C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe", "CORP\\j.park",
            "\"C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe\" --profile-directory=Default");
    private static final Process HR_WERMGR = new Process(OTHER_HOST, "{5E7B2A90-1E0E-65F0-012C-000000000500}",
            "10212", "C:\\Windows\\System32\\wermgr.exe", SYSTEM, "C:\\Windows\\system32\\wermgr.exe -upload");

    private QakbotWermgrScenario() {}

    /** The scenario's lines, in time order, as the bundled file holds them. */
    static List<String> lines() {
        List<String> lines = new ArrayList<>();
        for (Step step : steps()) {
            lines.add(SysmonLineWriter.render(step.event(), step.extra(), SourceFormat.XML));
        }
        return lines;
    }

    static List<Step> steps() {
        List<Step> steps = new ArrayList<>();
        // Outlook fetches mail; the user saves the attachment and opens the DLL inside.
        steps.add(dns("09:13:41.118", OUTLOOK, "outlook.office365.com", "0",
                "type:  5 outlook.ha.office365.com;::ffff:52.97.144.178;::ffff:52.97.211.34;"));
        steps.add(connect("09:13:41.402", OUTLOOK, "52.97.144.178", "443", "https"));
        steps.add(fileCreate("09:13:58.702", OUTLOOK,
                "C:\\Users\\m.keller\\AppData\\Local\\Microsoft\\Windows\\INetCache\\Content.Outlook\\Q7ZK2M4P\\Invoice_0312.zip"));
        steps.add(fileCreate("09:14:02.337", EXPLORER, INVOICE_DLL));
        steps.add(processCreate("09:14:06.015", RUNDLL32, EXPLORER, "C:\\Users\\m.keller\\Downloads\\",
                "10.0.19041.3636 (WinBuild.160101.0800)", "Windows host process (Rundll32)", "RUNDLL32.EXE",
                "MD5=A71472470A5E80BBE2F4A543484824F5,SHA256=902EC320F7CE4348AE0DB147BE8878C2F755462F64C018BA665D1479B85E9457,IMPHASH=CD72FC523EF98F897DBC5870B6D5635D"));
        steps.add(imageLoad("09:14:06.180", RUNDLL32, INVOICE_DLL, "-", "-", "-", "-", "-",
                "MD5=855E55B4B8469AC3A73FB5EC04B974A1,SHA256=CCEE2102C857A5E919FBCC41C3A82017FE48EEAA5FD1B374840A3518C5C80E39,IMPHASH=527B6153B402685277590D3B2F35B255",
                "false", "-", "Unavailable"));
        // rundll32 starts the 32-bit wermgr.exe and injects into it: process G.
        steps.add(processCreate("09:14:21.442", WERMGR_G, RUNDLL32, TEMP_DIR,
                "10.0.19041.3636 (WinBuild.160101.0800)", "Windows Problem Reporting", "WerMgr",
                "MD5=406C3670816C514D19148CD51F5AD4D8,SHA256=50B8D9D483D2B415EE7030397C0BF89AE13804AC08AD69CD3A43E8C771A4F591,IMPHASH=D361BC84AE148BA179FA6CA25CFCEE60"));
        steps.add(processAccess("09:14:21.460", RUNDLL32, WERMGR_G));
        steps.add(imageLoad("09:14:21.917", WERMGR_G, SYSWOW64 + "wininet.dll", "11.00.19041.3636 (WinBuild.160101.0800)",
                "Internet Extensions for Win32", WINDOWS, "Microsoft Corporation", "wininet.dll",
                "MD5=C1F94D466FCD3B1E6A8BD9248BC5D09B,SHA256=D3FC4C5531A24500D4D0F960DFE43D68046A897F5E7D9D3C65649BE36BD5F36E,IMPHASH=80DCC2CBA38D5AD5F4084254FAD92423",
                "true", "Microsoft Windows", "Valid"));
        steps.add(dns("09:14:35.201", EDGE, "www.bing.com", "0",
                "type:  5 www-bing-com.dual-a-0001.a-msedge.net;::ffff:13.107.21.200;::ffff:204.79.197.200;"));
        // G's named pipe: created and connected (two groups of rule 1).
        steps.add(pipe("09:14:40.317", WERMGR_G, 17, PIPE));
        steps.add(pipe("09:14:40.322", WERMGR_G, 18, PIPE));
        steps.add(pipe("09:14:52.640", EDGE, 17, "\\LOCAL\\mojo.8812.9020.15175893049125836721"));
        steps.add(pipe("09:14:52.655", EDGE, 18, "\\LOCAL\\mojo.8812.9020.15175893049125836721"));
        // G asks who it is on the internet, persists, opens a second pipe and calls home.
        steps.add(dns("09:15:12.905", WERMGR_G, "api.ipify.org", "0", IPIFY_RESULTS));
        steps.add(connect("09:15:13.060", WERMGR_G, "192.0.2.10", "443", "https"));
        steps.add(registryValue("09:15:30.778", WERMGR_G,
                "HKU\\" + USER_SID + "\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\Qwdzfkgw",
                "\"C:\\Windows\\SysWOW64\\rundll32.exe\" \"C:\\Users\\m.keller\\AppData\\Roaming\\Microsoft\\Qwdzfkgw\\Qwdzfkgw.dll\",DllRegisterServer"));
        steps.add(pipe("09:15:47.209", WERMGR_G, 17, SECOND_PIPE));
        steps.add(pipe("09:16:10.554", WERMGR_G, 18, PIPE));
        steps.add(connect("09:16:30.101", WERMGR_G, "198.51.100.77", "2222", "-"));
        steps.add(dns("09:17:05.880", DEFENDER, "wdcp.microsoft.com", "0",
                "type:  5 wd-prod-cp.trafficmanager.net;::ffff:52.182.143.208;"));
        // On another host, Windows Error Reporting uploads a crash report: a benign wermgr.
        // Hashes of the real System32 wermgr.exe in the OTRF LSASS_campaign_05 set.
        steps.add(processCreate("09:19:10.050", HR_WERMGR, HR_SVCHOST, "C:\\Windows\\system32\\",
                "10.0.19041.1949 (WinBuild.160101.0800)", "Windows Problem Reporting", "WerMgr",
                "MD5=74A0194782E039ACE1F7349544DC1CF4,SHA256=14FB2362D0F317107D91424B35D37C1FFD7B8C0C86158BA173B15D77D1200770,IMPHASH=37D12206E28F2B50E948F011F2BBBDAD"));
        steps.add(dns("09:19:11.212", HR_WERMGR, "umwatson.events.data.microsoft.com", "9502", "-"));
        steps.add(dns("09:19:11.630", HR_WERMGR, "watson.microsoft.com", "0",
                "type:  5 watson.events.data.microsoft.com;::ffff:20.42.73.29;"));
        steps.add(connect("09:19:12.004", HR_WERMGR, "20.42.73.29", "443", "https"));
        steps.add(processTerminate("09:19:14.870", HR_WERMGR));
        steps.add(dns("09:19:30.500", HR_EDGE, "www.office.com", "0",
                "type:  5 www.office.com.b-0005.b-msedge.net;::ffff:13.107.6.156;"));
        // A near miss (the list names www.myexternalip.com only), then two IP-check services.
        steps.add(dns("09:20:02.501", WERMGR_G, "myexternalip.com", "0", "::ffff:198.51.100.23;"));
        steps.add(dns("09:20:02.620", WERMGR_G, "www.myexternalip.com", "0",
                "type:  5 myexternalip.com;::ffff:198.51.100.23;"));
        steps.add(dns("09:22:14.090", WERMGR_G, "ipinfo.io", "0", "::ffff:203.0.113.50;"));
        steps.add(connect("09:22:14.240", WERMGR_G, "203.0.113.50", "443", "https"));
        steps.add(imageLoad("09:25:41.300", EDGE, "C:\\Windows\\System32\\dnsapi.dll",
                "10.0.19041.3996 (WinBuild.160101.0800)", "DNS Client API DLL", WINDOWS, "Microsoft Corporation",
                "dnsapi", "MD5=3B0E6E1D5C2A4F8B9D7E6C5A4B3F2E1D,SHA256=8C7B6A5F4E3D2C1B0A9F8E7D6C5B4A3F2E1D0C9B8A7F6E5D4C3B2A1F0E9D8C7B,IMPHASH=0A2B4C6D8E0F1A3B5C7D9E1F3A5B7C9D",
                "true", "Microsoft Windows", "Valid"));
        steps.add(fileCreate("09:28:03.777", WERMGR_G,
                "C:\\Users\\m.keller\\AppData\\Roaming\\Microsoft\\Qwdzfkgw\\Qwdzfkgw.dll"));
        // The same lookup again: it joins the first api.ipify.org alert of G.
        steps.add(dns("09:31:00.412", WERMGR_G, "api.ipify.org", "0", IPIFY_RESULTS));
        steps.add(connect("09:31:00.590", WERMGR_G, "192.0.2.10", "443", "https"));
        // A second injected wermgr, G2: one IP-check lookup, no pipe, so no sequence.
        steps.add(processCreate("09:38:44.120", WERMGR_G2, RUNDLL32, TEMP_DIR,
                "10.0.19041.3636 (WinBuild.160101.0800)", "Windows Problem Reporting", "WerMgr",
                "MD5=406C3670816C514D19148CD51F5AD4D8,SHA256=50B8D9D483D2B415EE7030397C0BF89AE13804AC08AD69CD3A43E8C771A4F591,IMPHASH=D361BC84AE148BA179FA6CA25CFCEE60"));
        steps.add(processAccess("09:38:44.141", RUNDLL32, WERMGR_G2));
        steps.add(dns("09:41:05.333", WERMGR_G2, "api.ipify.org", "0", IPIFY_RESULTS));
        steps.add(connect("09:41:05.480", WERMGR_G2, "192.0.2.10", "443", "https"));
        steps.add(processTerminate("09:44:12.015", RUNDLL32));
        steps.sort(Comparator.comparingLong(s -> s.event().eventTime));
        return steps;
    }

    // ---- one builder per event id, in Sysmon's words

    private static Step processCreate(String time, Process p, Process parent, String currentDirectory,
            String fileVersion, String description, String originalFileName, String hashes) {
        boolean system = p.user().equals(SYSTEM);
        return step(time, 1, p, data(
                "FileVersion", fileVersion,
                "Description", description,
                "Product", WINDOWS,
                "Company", "Microsoft Corporation",
                "OriginalFileName", originalFileName,
                "CommandLine", p.commandLine(),
                "CurrentDirectory", currentDirectory,
                "LogonGuid", system ? SYSTEM_LOGON_GUIDS.get(p.host()) : USER_LOGON_GUID,
                "LogonId", system ? "0x3e7" : "0x4a3b21",
                "TerminalSessionId", system ? "0" : "1",
                "IntegrityLevel", system ? "System" : "Medium",
                "Hashes", hashes,
                "ParentProcessGuid", parent.guid(),
                "ParentProcessId", parent.pid(),
                "ParentImage", parent.image(),
                "ParentCommandLine", parent.commandLine(),
                "ParentUser", parent.user()));
    }

    private static Step processTerminate(String time, Process p) {
        return step(time, 5, p, Map.of());
    }

    private static Step connect(String time, Process p, String address, String port, String portName) {
        return step(time, 3, p, data(
                "Protocol", "tcp",
                "Initiated", "true",
                "SourceIsIpv6", "false",
                "SourceIp", p.host().equals(HOST) ? "10.20.14.37" : "10.20.9.112",
                "SourceHostname", "-",
                "SourcePort", Integer.toString(49152 + (int) (millis(time) % 16000)),
                "SourcePortName", "-",
                "DestinationIsIpv6", "false",
                "DestinationIp", address,
                "DestinationHostname", "-",
                "DestinationPort", port,
                "DestinationPortName", portName));
    }

    private static Step imageLoad(String time, Process p, String module, String fileVersion, String description,
            String product, String company, String originalFileName, String hashes, String signed, String signature,
            String signatureStatus) {
        return step(time, 7, p, data(
                "ImageLoaded", module,
                "FileVersion", fileVersion,
                "Description", description,
                "Product", product,
                "Company", company,
                "OriginalFileName", originalFileName,
                "Hashes", hashes,
                "Signed", signed,
                "Signature", signature,
                "SignatureStatus", signatureStatus));
    }

    /** The injection: full access to the new wermgr.exe, from code in no module (UNKNOWN frame). */
    private static Step processAccess(String time, Process source, Process target) {
        return step(time, 10, source, data(
                "SourceThreadId", "7408",
                "TargetProcessGUID", target.guid(),
                "TargetProcessId", target.pid(),
                "TargetImage", target.image(),
                "GrantedAccess", "0x1FFFFF",
                "CallTrace", "C:\\Windows\\SYSTEM32\\ntdll.dll+9d4c4|C:\\Windows\\System32\\KERNELBASE.dll+71f2e"
                        + "|UNKNOWN(00000000047A1C3B)",
                "TargetUser", target.user()));
    }

    private static Step fileCreate(String time, Process p, String path) {
        return step(time, 11, p, data("TargetFilename", path, "CreationUtcTime", "2024-03-12 " + time));
    }

    private static Step registryValue(String time, Process p, String key, String details) {
        return step(time, 13, p, data("EventType", "SetValue", "TargetObject", key, "Details", details));
    }

    private static Step pipe(String time, Process p, int eventId, String pipeName) {
        Step step = step(time, eventId, p, Map.of());
        step.event().eventType = eventId == 17 ? "CreatePipe" : "ConnectPipe";
        step.event().pipeName = pipeName;
        return step;
    }

    private static Step dns(String time, Process p, String queryName, String status, String results) {
        Step step = step(time, 22, p, Map.of());
        step.event().queryName = queryName;
        step.event().queryStatus = status;
        step.event().queryResults = results;
        return step;
    }

    private static Step step(String time, int eventId, Process p, Map<String, String> extra) {
        SysmonEvent e = new SysmonEvent();
        e.format = SourceFormat.XML;
        e.host = p.host();
        e.eventId = eventId;
        e.eventTime = millis(time);
        e.processGuid = p.guid();
        e.processId = p.pid();
        e.image = p.image();
        e.user = p.user();
        return new Step(e, extra);
    }

    private static long millis(String timeOfDay) {
        return Instant.parse("2024-03-12T" + timeOfDay + "Z").toEpochMilli();
    }

    private static Map<String, String> data(String... namesAndValues) {
        Map<String, String> data = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            data.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return data;
    }
}
