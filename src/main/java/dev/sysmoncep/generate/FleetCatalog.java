package dev.sysmoncep.generate;

import java.util.SplittableRandom;

/**
 * What runs on an ordinary corporate Windows 10 workstation and what each process does that Sysmon
 * logs: the binaries, their command lines, the names they look up, the pipes, files and registry
 * values they touch. Paths, pipe names and DNS names follow real Sysmon logs (OTRF, Splunk attack
 * range); hashes and addresses are made up but stable, as a real fleet runs the same binaries.
 *
 * <p>Templates hold placeholders that {@link BackgroundGenerator} fills per process or event:
 * {@code %u} user name, {@code %s} user SID, {@code %p} process id, {@code %n} a number below 10000,
 * {@code %r} a 19-digit number, {@code %h} 8 hex digits, {@code %H} 16 upper-case hex digits,
 * {@code %g} a GUID, {@code %L} 16 upper-case letters.
 *
 * <p>No entry may ever make a detection fire: wermgr.exe has no pipes, and no DNS name here ends
 * with a name on the IP-check list.
 */
final class FleetCatalog {

    /** A PE file as Sysmon describes it in events 1 and 7. */
    static final class Binary {
        final String path;
        final String fileVersion;
        final String description;
        final String product;
        final String company;
        final String originalFileName;
        final String signature;
        final String hashes;

        Binary(String path, String fileVersion, String description, String product, String company,
                String originalFileName, String signature) {
            this.path = path;
            this.fileVersion = fileVersion;
            this.description = description;
            this.product = product;
            this.company = company;
            this.originalFileName = originalFileName;
            this.signature = signature;
            this.hashes = madeUpHashes(path);
        }
    }

    /** A DNS name, what it resolves to, and the port its process then connects to. */
    static final class Lookup {
        final String name;
        final String address;
        final String results;
        final int port;
        final String portName;
        /** Looked up but never answered in the real data (Windows Error Reporting's upload host: 9502). */
        final boolean unanswered;

        Lookup(String name, String cname, String addressPrefix, int port, boolean unanswered) {
            this.name = name;
            int h = name.hashCode();
            this.address = addressPrefix + ((h >>> 8) & 0xff) + "." + (1 + (h & 0x7f));
            String second = addressPrefix + ((h >>> 16) & 0xff) + "." + (1 + ((h >>> 24) & 0x7f));
            this.results = (cname == null ? "" : "type:  5 " + cname + ";") + "::ffff:" + address + ";"
                    + ((h & 0x100) == 0 ? "" : "::ffff:" + second + ";");
            this.port = port;
            this.portName = switch (port) {
                case 443 -> "https";
                case 389 -> "ldap";
                case 445 -> "microsoft-ds";
                case 88 -> "kerberos";
                default -> "-";
            };
            this.unanswered = unanswered;
        }
    }

    /** A registry key created or deleted (event 12) or a value set (event 13, with its Details). */
    static final class RegistryWrite {
        final String target;
        final String details;

        RegistryWrite(String target, String details) {
            this.target = target;
            this.details = details;
        }
    }

    enum Account {
        SYSTEM("NT AUTHORITY\\SYSTEM", 0x3e7),
        LOCAL_SERVICE("NT AUTHORITY\\LOCAL SERVICE", 0x3e5),
        NETWORK_SERVICE("NT AUTHORITY\\NETWORK SERVICE", 0x3e4),
        /** The workstation's signed-in user. */
        USER(null, 0);

        final String user;
        final long logonId;

        Account(String user, long logonId) {
            this.user = user;
            this.logonId = logonId;
        }
    }

    /** Which long-lived process starts a kind: the services, a service host, or the user's shell. */
    enum Parent { SERVICES, SERVICE_HOST, SHELL }

    /** One kind of process and its habits. */
    static final class ProcessKind {
        final Binary binary;
        final String[] commandLines;
        final Account account;
        final Parent parent;
        final String currentDirectory;
        final int spawnWeight;
        Lookup[] lookups = {};
        /** Share of lookups that are Chromium's random-name probes for DNS hijacking (NXDOMAIN). */
        int randomProbePercent;
        String[] pipesCreated = {};
        String[] pipesConnected = {};
        String[] filesCreated = {};
        String[] keysTouched = {};
        RegistryWrite[] valuesSet = {};
        Binary[] ownModules = {};

        ProcessKind(Binary binary, Account account, Parent parent, String currentDirectory, int spawnWeight,
                String... commandLines) {
            this.binary = binary;
            this.account = account;
            this.parent = parent;
            this.currentDirectory = currentDirectory;
            this.spawnWeight = spawnWeight;
            this.commandLines = commandLines;
        }

        ProcessKind lookups(Lookup... l) {
            lookups = l;
            return this;
        }

        ProcessKind probes(int percent) {
            randomProbePercent = percent;
            return this;
        }

        ProcessKind pipes(String[] created, String... connected) {
            pipesCreated = created;
            pipesConnected = connected;
            return this;
        }

        ProcessKind files(String... f) {
            filesCreated = f;
            return this;
        }

        ProcessKind keys(String... k) {
            keysTouched = k;
            return this;
        }

        ProcessKind values(RegistryWrite... v) {
            valuesSet = v;
            return this;
        }

        ProcessKind modules(Binary... m) {
            ownModules = m;
            return this;
        }
    }

    private static final String WINDOWS = "Microsoft® Windows® Operating System";
    private static final String MICROSOFT = "Microsoft Corporation";
    private static final String EDGE_DIR = "C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\";
    private static final String EDGE_VERSION = "122.0.2365.80";
    private static final String CHROME_DIR = "C:\\Program Files\\Google\\Chrome\\Application\\";
    private static final String CHROME_VERSION = "122.0.6261.129";
    private static final String OFFICE_DIR = "C:\\Program Files\\Microsoft Office\\root\\Office16\\";
    private static final String OFFICE_VERSION = "16.0.17328.20184";
    private static final String DEFENDER_DIR = "C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24010.12-0\\";
    private static final String USER_HOME = "C:\\Users\\%u\\";

    static final Binary[] SYSTEM_MODULES = {
        system("ntdll.dll", "NT Layer DLL"),
        system("kernel32.dll", "Windows NT BASE API Client DLL"),
        system("KernelBase.dll", "Windows NT BASE API Client DLL"),
        system("combase.dll", "Microsoft COM for Windows"),
        system("rpcrt4.dll", "Remote Procedure Call Runtime"),
        system("advapi32.dll", "Advanced Windows 32 Base API"),
        system("sechost.dll", "Host for SCM/SDDL/LSA Lookup APIs"),
        system("ucrtbase.dll", "Microsoft® C Runtime Library"),
        system("msvcrt.dll", "Windows NT CRT DLL"),
        system("user32.dll", "Multi-User Windows USER API Client DLL"),
        system("win32u.dll", "Win32u"),
        system("gdi32.dll", "GDI Client DLL"),
        system("shell32.dll", "Windows Shell Common Dll"),
        system("ole32.dll", "Microsoft OLE for Windows"),
        system("oleaut32.dll", "OLEAUT32.DLL"),
        system("ws2_32.dll", "Windows Socket 2.0 32-Bit DLL"),
        system("crypt32.dll", "Crypto API32"),
        system("bcrypt.dll", "Windows Cryptographic Primitives Library"),
        system("wininet.dll", "Internet Extensions for Win32"),
        system("winhttp.dll", "Windows HTTP Services"),
        system("urlmon.dll", "OLE32 Extensions for Win32"),
        system("dnsapi.dll", "DNS Client API DLL"),
        system("IPHLPAPI.DLL", "IP Helper API"),
        system("mswsock.dll", "Microsoft Windows Sockets 2.0 Service Provider"),
        system("windows.storage.dll", "Microsoft WinRT Storage API"),
        system("clbcatq.dll", "COM+ Configuration Catalog"),
        system("propsys.dll", "Microsoft Property System"),
        system("uxtheme.dll", "Microsoft UxTheme Library"),
        system("dwmapi.dll", "Microsoft Desktop Window Manager API"),
        system("SHCore.dll", "SHCORE"),
        system("msctf.dll", "MSCTF Server DLL"),
        system("cryptbase.dll", "Base cryptographic API DLL"),
        system("sspicli.dll", "Security Support Provider Interface"),
        system("version.dll", "Version Checking and File Installation Libraries"),
        system("profapi.dll", "User Profile Basic API"),
        system("wintypes.dll", "Windows Base Types DLL"),
        system("edputil.dll", "EDP util"),
        system("apphelp.dll", "Application Compatibility Client Library"),
        system("CoreMessaging.dll", "Microsoft CoreMessaging Dll"),
        system("netutils.dll", "Net Win32 API Helpers DLL"),
        system("ncrypt.dll", "Windows NCrypt Router"),
        system("rsaenh.dll", "Microsoft Enhanced Cryptographic Provider"),
        system("schannel.dll", "TLS / SSL Security Provider"),
        system("webio.dll", "Web Transfer Protocols API"),
        system("amsi.dll", "Anti-Malware Scan Interface"),
    };

    static final Binary SERVICES = system("services.exe", "Services and Controller app");

    private static final Lookup[] MICROSOFT_CLOUD = {
        lookup("login.microsoftonline.com", "login.mso.msidentity.com", "20.190."),
        lookup("graph.microsoft.com", "ags.privatelink.msidentity.com", "20.190."),
        lookup("outlook.office365.com", "outlook.ha.office365.com", "52.97."),
        lookup("ecs.office.com", "ecs.office.trafficmanager.net", "52.113."),
    };

    // ---- long-lived processes every workstation has

    static final ProcessKind SERVICE_HOST = new ProcessKind(system("svchost.exe", "Host Process for Windows Services"),
            Account.SYSTEM, Parent.SERVICES, "C:\\Windows\\system32\\", 0,
            "C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule")
            .lookups(lookup("settings-win.data.microsoft.com", "atm-settingsfe-prod-geo2.trafficmanager.net", "51.104."),
                    lookup("v10.events.data.microsoft.com", "global.asimov.events.data.trafficmanager.net", "20.42."),
                    lookup("ctldl.windowsupdate.com", "ctldl.windowsupdate.com.delivery.microsoft.com", "93.184."),
                    lookup("fe3cr.delivery.mp.microsoft.com", "glb.cws.prod.dcat.dsp.trafficmanager.net", "20.12."),
                    lookup("slscr.update.microsoft.com", "glb.sls.prod.dcat.dsp.trafficmanager.net", "20.12."),
                    lookup("client.wns.windows.com", "wns.notify.trafficmanager.net", "20.198."),
                    lookup("time.windows.com", "twc.trafficmanager.net", "168.61."),
                    internal("dc01.corp.example.com", 389), internal("dc02.corp.example.com", 88),
                    internal("fs01.corp.example.com", 445),
                    internal("_ldap._tcp.Default-First-Site-Name._sites.dc._msdcs.corp.example.com", 389))
            .pipes(new String[] {"\\srvsvc", "\\wkssvc", "\\Winsock2\\CatalogChangeListener-%h-0", "\\atsvc",
                            "\\PIPE_EVENTROOT\\CIMV2SCM EVENT PROVIDER"},
                    "\\lsass", "\\srvsvc", "\\samr", "\\eventlog", "\\ntsvcs")
            .files("C:\\Windows\\Prefetch\\SVCHOST.EXE-%h.pf",
                    "C:\\Windows\\ServiceProfiles\\NetworkService\\AppData\\Local\\Microsoft\\Windows\\DeliveryOptimization\\Cache\\%H",
                    "C:\\Windows\\System32\\Tasks\\Microsoft\\Windows\\UpdateOrchestrator\\Schedule Scan",
                    "C:\\Windows\\Logs\\waasmedic\\waasmedic.%h.etl")
            .keys("HKLM\\System\\CurrentControlSet\\Services\\Tcpip\\Parameters\\Interfaces\\{%g}",
                    "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Schedule\\TaskCache\\Tree\\Microsoft\\Windows\\UpdateOrchestrator\\Schedule Scan")
            .values(value("HKLM\\System\\CurrentControlSet\\Services\\bam\\State\\UserSettings\\%s\\\\Device\\HarddiskVolume3\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe", "Binary Data"),
                    value("HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Schedule\\TaskCache\\Tasks\\{%g}\\DynamicInfo", "Binary Data"),
                    value("HKLM\\System\\CurrentControlSet\\Services\\W32Time\\Config\\LastKnownGoodTime", "QWORD (0x01da%n-0x%h)"));

    static final ProcessKind SHELL = new ProcessKind(system("explorer.exe", "Windows Explorer", "EXPLORER.EXE", "C:\\Windows\\"),
            Account.USER, Parent.SERVICE_HOST, "C:\\Windows\\system32\\", 0, "C:\\Windows\\Explorer.EXE")
            .lookups(lookup("arc.msn.com", "arc.msn.com.nsatc.net", "20.199."),
                    lookup("www.bing.com", "www-bing-com.dual-a-0001.a-msedge.net", "13.107."),
                    lookup("go.microsoft.com", "go.microsoft.com.edgekey.net", "23.223."))
            .files(USER_HOME + "AppData\\Roaming\\Microsoft\\Windows\\Recent\\Q1 forecast %n.xlsx.lnk",
                    USER_HOME + "AppData\\Roaming\\Microsoft\\Windows\\Recent\\CustomDestinations\\%H.customDestinations-ms~RF%h.TMP",
                    USER_HOME + "AppData\\Local\\Microsoft\\Windows\\Explorer\\iconcache_%n.db")
            .keys("HKU\\%s\\Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\SessionInfo\\1\\ApplicationViewManagement\\W32:%H",
                    "HKU\\%s\\Software\\Classes\\Local Settings\\Software\\Microsoft\\Windows\\Shell\\BagMRU\\%n")
            .values(value("HKU\\%s\\Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\UserAssist\\{CEBFF5CD-ACE2-4F4F-9178-9926F41749EA}\\Count\\HRZR_PGYFRFFVBA", "Binary Data"),
                    value("HKU\\%s\\Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\FeatureUsage\\AppSwitched\\Microsoft.Office.OUTLOOK.EXE.15", "DWORD (0x0000002a)"),
                    value("HKU\\%s\\Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\RecentDocs\\.xlsx\\MRUListEx", "Binary Data"));

    static final ProcessKind DEFENDER = new ProcessKind(
            new Binary(DEFENDER_DIR + "MsMpEng.exe", "4.18.24010.12 (WinBuild.160101.0800)", "Antimalware Service Executable",
                    WINDOWS, MICROSOFT, "MsMpEng.exe", "Microsoft Windows Publisher"),
            Account.SYSTEM, Parent.SERVICES, "C:\\Windows\\system32\\", 0, "\"" + DEFENDER_DIR + "MsMpEng.exe\"")
            .lookups(lookup("wdcp.microsoft.com", "wd-prod-cp.trafficmanager.net", "52.182."),
                    lookup("wdcpalt.microsoft.com", "wd-prod-cp.trafficmanager.net", "52.182."),
                    lookup("definitionupdates.microsoft.com", "definitionupdates.microsoft.com.edgesuite.net", "23.55."),
                    lookup("unitedstates.cp.wd.microsoft.com", "unitedstates.cp.wd.microsoft.com.trafficmanager.net", "52.255."))
            .files("C:\\ProgramData\\Microsoft\\Windows Defender\\Scans\\History\\Store\\%H%H",
                    "C:\\ProgramData\\Microsoft\\Windows Defender\\Scans\\mpcache-%H.bin.%n",
                    "C:\\Windows\\Temp\\MpCmdRun.log")
            .values(value("HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Signature Updates\\SignaturesLastChecked", "Binary Data"),
                    value("HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Diagnostics\\LastKnownGoodPlatformLocation", DEFENDER_DIR.substring(0, DEFENDER_DIR.length() - 1)))
            .modules(binary(DEFENDER_DIR + "MpSvc.dll", "4.18.24010.12", "Antimalware Service", "Microsoft Windows Publisher"),
                    binary(DEFENDER_DIR + "MpClient.dll", "4.18.24010.12", "Client Interface", "Microsoft Windows Publisher"));

    // ---- processes that come and go

    static final ProcessKind[] SPAWNED = {
        new ProcessKind(binary(EDGE_DIR + "msedge.exe", EDGE_VERSION, "Microsoft Edge", "Microsoft Corporation"),
                Account.USER, Parent.SHELL, EDGE_DIR + EDGE_VERSION + "\\", 14,
                "\"" + EDGE_DIR + "msedge.exe\" --profile-directory=Default",
                "\"" + EDGE_DIR + "msedge.exe\" --type=renderer --instant-process --lang=en-US --js-flags=--ms-user-locale= --device-scale-factor=1 --num-raster-threads=4 --enable-main-frame-before-activation --renderer-client-id=%n --time-ticks-at-unix-epoch=-%r --launch-time-ticks=%r --mojo-platform-channel-handle=%n --field-trial-handle=%n,i,%r,%r,262144 /prefetch:1",
                "\"" + EDGE_DIR + "msedge.exe\" --type=utility --utility-sub-type=network.mojom.NetworkService --lang=en-US --service-sandbox-type=none --mojo-platform-channel-handle=%n --field-trial-handle=%n,i,%r,%r,262144 /prefetch:3")
                .lookups(lookup("www.bing.com", "www-bing-com.dual-a-0001.a-msedge.net", "13.107."),
                        lookup("edge.microsoft.com", "edge-microsoft-com.dual-a-0036.a-msedge.net", "13.107."),
                        lookup("config.edge.skype.com", "config-edge-skype.l-0007.l-msedge.net", "13.107."),
                        lookup("nav.smartscreen.microsoft.com", "wd-prod-ss.trafficmanager.net", "20.73."),
                        lookup("ntp.msn.com", "www-msn-com.a-0003.a-msedge.net", "204.79."),
                        lookup("assets.msn.com", "assets.msn.com.edgekey.net", "23.50."),
                        lookup("www.office.com", "www.office.com.b-0005.b-msedge.net", "13.107."),
                        lookup("corpexample.sharepoint.com", "187170-ipv4v6.farm.dprodmgd104.aa-rt.sharepoint.com", "52.105."),
                        lookup("github.com", null, "140.82."),
                        lookup("www.linkedin.com", "www-linkedin-com.l-0005.l-msedge.net", "13.107."),
                        lookup("learn.microsoft.com", "learn.microsoft.com.edgekey.net", "23.45."))
                .probes(5)
                .pipes(new String[] {"\\LOCAL\\mojo.%p.%n.%r", "\\LOCAL\\crashpad_%p_%L"},
                        "\\LOCAL\\mojo.%p.%n.%r", "\\LOCAL\\crashpad_%p_%L")
                .files(USER_HOME + "AppData\\Local\\Microsoft\\Edge\\User Data\\Default\\Cache\\Cache_Data\\f_%h",
                        USER_HOME + "AppData\\Local\\Microsoft\\Edge\\User Data\\Default\\Code Cache\\js\\%h%h_0",
                        USER_HOME + "AppData\\Local\\Microsoft\\Edge\\User Data\\Default\\Network\\Cookies-journal",
                        USER_HOME + "Downloads\\Unconfirmed %n.crdownload")
                .values(value("HKU\\%s\\Software\\Microsoft\\Edge\\BLBeacon\\version", EDGE_VERSION),
                        value("HKU\\%s\\Software\\Microsoft\\Edge\\BLBeacon\\state", "DWORD (0x00000001)"))
                .modules(binary(EDGE_DIR + EDGE_VERSION + "\\msedge.dll", EDGE_VERSION, "Microsoft Edge", "Microsoft Corporation"),
                        binary(EDGE_DIR + EDGE_VERSION + "\\msedge_elf.dll", EDGE_VERSION, "Microsoft Edge", "Microsoft Corporation")),
        new ProcessKind(new Binary(CHROME_DIR + "chrome.exe", CHROME_VERSION, "Google Chrome", "Google Chrome", "Google LLC",
                        "chrome.exe", "Google LLC"),
                Account.USER, Parent.SHELL, CHROME_DIR + CHROME_VERSION + "\\", 6,
                "\"" + CHROME_DIR + "chrome.exe\"",
                "\"" + CHROME_DIR + "chrome.exe\" --type=renderer --crashpad-handler-pid=%n --enable-crash-reporter=%g,no_channel --extension-process --display-capture-permissions-policy-allowed --lang=en-US --device-scale-factor=1 --num-raster-threads=4 --renderer-client-id=%n --time-ticks-at-unix-epoch=-%r --launch-time-ticks=%r --mojo-platform-channel-handle=%n --field-trial-handle=%n,i,%r,%r,262144 /prefetch:1")
                .lookups(lookup("www.google.com", null, "142.250."),
                        lookup("clients2.google.com", "clients.l.google.com", "142.250."),
                        lookup("update.googleapis.com", null, "172.217."),
                        lookup("accounts.google.com", null, "142.251."),
                        lookup("www.gstatic.com", null, "142.250."),
                        lookup("content-autofill.googleapis.com", null, "172.217."),
                        lookup("safebrowsingohttpgateway.googleapis.com", null, "142.250."),
                        lookup("docs.google.com", null, "142.251."))
                .probes(5)
                .pipes(new String[] {"\\mojo.%p.%n.%r", "\\crashpad_%p_%L"}, "\\mojo.%p.%n.%r", "\\crashpad_%p_%L")
                .files(USER_HOME + "AppData\\Local\\Google\\Chrome\\User Data\\Default\\Cache\\Cache_Data\\f_%h",
                        USER_HOME + "AppData\\Local\\Google\\Chrome\\User Data\\Default\\Code Cache\\js\\%h%h_0")
                .values(value("HKU\\%s\\Software\\Google\\Chrome\\BLBeacon\\failed_count", "DWORD (0x00000000)"))
                .modules(new Binary(CHROME_DIR + CHROME_VERSION + "\\chrome.dll", CHROME_VERSION, "Google Chrome",
                        "Google Chrome", "Google LLC", "chrome.dll", "Google LLC")),
        new ProcessKind(office("OUTLOOK.EXE", "Microsoft Outlook"), Account.USER, Parent.SHELL, USER_HOME, 4,
                "\"" + OFFICE_DIR + "OUTLOOK.EXE\" ",
                "\"" + OFFICE_DIR + "OUTLOOK.EXE\" /recycle")
                .lookups(lookup("outlook.office365.com", "outlook.ha.office365.com", "52.97."),
                        lookup("outlook.office.com", "outlook.ha.office365.com", "52.97."),
                        lookup("autodiscover.corp.example.com", "autodiscover.outlook.com", "52.98."),
                        lookup("nexus.officeapps.live.com", "prod.nexusrules.live.com.akadns.net", "52.111."),
                        lookup("officeclient.microsoft.com", "prod.configsvc1.live.com.akadns.net", "52.109."),
                        lookup("substrate.office.com", "outlook.ha.office365.com", "52.97."),
                        MICROSOFT_CLOUD[0], MICROSOFT_CLOUD[3])
                .pipes(new String[] {"\\Winsock2\\CatalogChangeListener-%h-0"})
                .files(USER_HOME + "AppData\\Local\\Microsoft\\Windows\\INetCache\\Content.Outlook\\%L\\image%n.png",
                        USER_HOME + "AppData\\Local\\Microsoft\\Outlook\\RoamCache\\Stream_Autocomplete_0_%H%H.dat",
                        USER_HOME + "AppData\\Local\\Temp\\Outlook Logging\\OUTLOOK_%n.etl")
                .keys("HKU\\%s\\Software\\Microsoft\\Office\\16.0\\Outlook\\Resiliency\\StartupItems")
                .values(value("HKU\\%s\\Software\\Microsoft\\Office\\16.0\\Outlook\\Resiliency\\StartupItems\\%h", "Binary Data"),
                        value("HKU\\%s\\Software\\Microsoft\\Office\\16.0\\Common\\Roaming\\Identities\\%H_ADAL\\LastSwitchedTime", "QWORD (0x01da%n-0x%h)"))
                .modules(officeModule("OLMAPI32.DLL", "Microsoft Outlook Extended MAPI"),
                        officeModule("mso20win32client.dll", "Microsoft Office 2016 component")),
        new ProcessKind(office("WINWORD.EXE", "Microsoft Word"), Account.USER, Parent.SHELL, USER_HOME + "Documents\\", 3,
                "\"" + OFFICE_DIR + "WINWORD.EXE\" /n \"" + USER_HOME + "Documents\\Meeting notes %n.docx\" /o \"\"")
                .lookups(MICROSOFT_CLOUD[0], MICROSOFT_CLOUD[3],
                        lookup("officeclient.microsoft.com", "prod.configsvc1.live.com.akadns.net", "52.109."),
                        lookup("messaging.lifecycle.office.com", "lifecycle.office.trafficmanager.net", "52.111."))
                .files(USER_HOME + "AppData\\Roaming\\Microsoft\\Word\\~WRL%n.tmp",
                        USER_HOME + "Documents\\~$eting notes %n.docx",
                        USER_HOME + "AppData\\Local\\Microsoft\\Windows\\INetCache\\Content.MSO\\%H.tmp")
                .values(value("HKU\\%s\\Software\\Microsoft\\Office\\16.0\\Word\\Reading Locations\\Document %n\\Position", "%n %n"))
                .modules(officeModule("WWLIB.DLL", "Microsoft Word"),
                        officeModule("mso20win32client.dll", "Microsoft Office 2016 component")),
        new ProcessKind(office("EXCEL.EXE", "Microsoft Excel"), Account.USER, Parent.SHELL, USER_HOME + "Documents\\", 3,
                "\"" + OFFICE_DIR + "EXCEL.EXE\" \"" + USER_HOME + "Documents\\Q1 forecast %n.xlsx\"")
                .lookups(MICROSOFT_CLOUD[0], MICROSOFT_CLOUD[3],
                        lookup("officeclient.microsoft.com", "prod.configsvc1.live.com.akadns.net", "52.109."))
                .files(USER_HOME + "Documents\\~$Q1 forecast %n.xlsx",
                        USER_HOME + "AppData\\Local\\Microsoft\\Windows\\INetCache\\Content.MSO\\%H.tmp")
                .values(value("HKU\\%s\\Software\\Microsoft\\Office\\16.0\\Excel\\Resiliency\\DocumentRecovery\\%h", "Binary Data"))
                .modules(officeModule("mso20win32client.dll", "Microsoft Office 2016 component")),
        new ProcessKind(binary(USER_HOME + "AppData\\Local\\Microsoft\\Teams\\current\\Teams.exe", "1.7.00.6058", "Microsoft Teams", "Microsoft Corporation"),
                Account.USER, Parent.SHELL, USER_HOME + "AppData\\Local\\Microsoft\\Teams\\current\\", 4,
                "\"" + USER_HOME + "AppData\\Local\\Microsoft\\Teams\\current\\Teams.exe\" --system-initiated",
                "\"" + USER_HOME + "AppData\\Local\\Microsoft\\Teams\\current\\Teams.exe\" --type=renderer --autoplay-policy=no-user-gesture-required --disable-background-timer-throttling --lang=en-US --device-scale-factor=1 --num-raster-threads=4 --renderer-client-id=%n --mojo-platform-channel-handle=%n /prefetch:1")
                .lookups(lookup("teams.microsoft.com", "teams-office-com.s-0005.s-msedge.net", "52.113."),
                        lookup("presence.teams.microsoft.com", "presence-teams.trafficmanager.net", "52.114."),
                        lookup("statics.teams.cdn.office.net", "statics-teams-cdn.azureedge.net", "13.107."),
                        lookup("go.trouter.teams.microsoft.com", "trouter-azsc.trafficmanager.net", "52.114."),
                        MICROSOFT_CLOUD[0], MICROSOFT_CLOUD[1])
                .pipes(new String[] {"\\LOCAL\\mojo.%p.%n.%r"}, "\\LOCAL\\mojo.%p.%n.%r")
                .files(USER_HOME + "AppData\\Roaming\\Microsoft\\Teams\\Cache\\f_%h",
                        USER_HOME + "AppData\\Roaming\\Microsoft\\Teams\\logs.txt")
                .values(value("HKU\\%s\\Software\\Microsoft\\Office\\Teams\\LoggedInOnce", "DWORD (0x00000001)")),
        new ProcessKind(binary(USER_HOME + "AppData\\Local\\Microsoft\\OneDrive\\OneDrive.exe", "24.030.0212.0003", "Microsoft OneDrive", "Microsoft Corporation"),
                Account.USER, Parent.SHELL, USER_HOME + "AppData\\Local\\Microsoft\\OneDrive\\", 2,
                "\"" + USER_HOME + "AppData\\Local\\Microsoft\\OneDrive\\OneDrive.exe\" /background")
                .lookups(lookup("g.live.com", "g.msn.com.nsatc.net", "20.54."),
                        lookup("oneclient.sfx.ms", "oneclient.sfx.ms.edgekey.net", "23.45."),
                        lookup("corpexample-my.sharepoint.com", "187170-ipv4v6.farm.dprodmgd104.aa-rt.sharepoint.com", "52.105."),
                        MICROSOFT_CLOUD[0])
                .files(USER_HOME + "AppData\\Local\\Microsoft\\OneDrive\\logs\\Business1\\SyncEngine-%n.odl",
                        USER_HOME + "AppData\\Local\\Microsoft\\OneDrive\\settings\\Business1\\%H.ini")
                .values(value("HKU\\%s\\Software\\Microsoft\\OneDrive\\Accounts\\Business1\\LastSignInTime", "QWORD (0x00000000-0x%h)")),
        new ProcessKind(system("RuntimeBroker.exe", "Runtime Broker"), Account.USER, Parent.SERVICE_HOST,
                "C:\\Windows\\system32\\", 6, "C:\\Windows\\System32\\RuntimeBroker.exe -Embedding")
                .keys("HKU\\%s\\Software\\Microsoft\\Windows\\CurrentVersion\\Notifications\\Settings\\Microsoft.Windows.Search_cw5n1h2txyewy!CortanaUI"),
        new ProcessKind(system("svchost.exe", "Host Process for Windows Services"), Account.NETWORK_SERVICE,
                Parent.SERVICES, "C:\\Windows\\system32\\", 4,
                "C:\\Windows\\system32\\svchost.exe -k NetworkService -p -s Dnscache",
                "C:\\Windows\\system32\\svchost.exe -k NetworkService -p -s CryptSvc")
                .lookups(lookup("ctldl.windowsupdate.com", "ctldl.windowsupdate.com.delivery.microsoft.com", "93.184."),
                        lookup("crl.microsoft.com", "crl.www.ms.akadns.net", "23.216."),
                        lookup("ocsp.digicert.com", "ocsp.edge.digicert.com", "192.229."),
                        internal("dc01.corp.example.com", 389), internal("wpad.corp.example.com", 80))
                .files("C:\\Windows\\ServiceProfiles\\NetworkService\\AppData\\LocalLow\\Microsoft\\CryptnetUrlCache\\Content\\%H%H"),
        new ProcessKind(system("svchost.exe", "Host Process for Windows Services"), Account.LOCAL_SERVICE,
                Parent.SERVICES, "C:\\Windows\\system32\\", 4,
                "C:\\Windows\\system32\\svchost.exe -k LocalServiceNetworkRestricted -p -s lmhosts",
                "C:\\Windows\\System32\\svchost.exe -k LocalServiceNoNetworkFirewall -p")
                .pipes(new String[] {"\\Winsock2\\CatalogChangeListener-%h-0"}, "\\lsass"),
        new ProcessKind(system("WmiPrvSE.exe", "WMI Provider Host", "Wmiprvse.exe", "C:\\Windows\\System32\\wbem\\"), Account.NETWORK_SERVICE,
                Parent.SERVICE_HOST, "C:\\Windows\\system32\\", 3, "C:\\Windows\\system32\\wbem\\wmiprvse.exe -secured -Embedding")
                .pipes(new String[0], "\\wkssvc", "\\srvsvc", "\\lsass")
                .files("C:\\Windows\\ServiceProfiles\\NetworkService\\AppData\\Local\\Temp\\__PSScriptPolicyTest_%h.ps1"),
        new ProcessKind(system("dllhost.exe", "COM Surrogate"), Account.USER, Parent.SERVICE_HOST, "C:\\Windows\\system32\\", 4,
                "C:\\Windows\\system32\\DllHost.exe /Processid:{%g}")
                .files(USER_HOME + "AppData\\Local\\Microsoft\\Windows\\Explorer\\thumbcache_%n.db"),
        new ProcessKind(system("taskhostw.exe", "Host Process for Windows Tasks"), Account.USER, Parent.SERVICE_HOST,
                "C:\\Windows\\system32\\", 2, "taskhostw.exe {222A245B-E637-4AE9-A93F-A59CA119A75E}", "taskhostw.exe KEYROAMING")
                .values(value("HKU\\%s\\Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\SessionInfo\\1\\KnownFolderCache\\LastUpdate", "Binary Data")),
        new ProcessKind(system("backgroundTaskHost.exe", "Background Task Host"), Account.USER, Parent.SERVICE_HOST,
                "C:\\Windows\\system32\\", 3, "\"C:\\Windows\\system32\\backgroundTaskHost.exe\" -ServerName:BackgroundTaskHost.WebAccountProvider")
                .lookups(MICROSOFT_CLOUD[0], lookup("login.live.com", "login.msa.msidentity.com", "20.190.")),
        new ProcessKind(system("SearchProtocolHost.exe", "Microsoft Windows Search Protocol Host"), Account.SYSTEM,
                Parent.SERVICE_HOST, "C:\\Windows\\system32\\", 3,
                "\"C:\\Windows\\system32\\SearchProtocolHost.exe\" Global\\UsGthrFltPipeMssGthrPipe%n_ Global\\UsGthrCtrlFltPipeMssGthrPipe%n 1 -2147483646 \"Software\\Microsoft\\Windows Search\" \"Mozilla/4.0 (compatible; MSIE 6.0; Windows NT; MS Search 4.0 Robot)\" \"C:\\ProgramData\\Microsoft\\Search\\Data\\Temp\\usgthrsvc\" \"DownLevelDaemon\" ")
                .pipes(new String[] {"\\UsGthrFltPipeMssGthrPipe%n"}, "\\UsGthrCtrlFltPipeMssGthrPipe%n")
                .files("C:\\ProgramData\\Microsoft\\Search\\Data\\Temp\\usgthrsvc\\%H.tmp"),
        new ProcessKind(new Binary("C:\\Program Files (x86)\\Microsoft\\EdgeUpdate\\MicrosoftEdgeUpdate.exe", "1.3.185.17",
                        "Microsoft Edge Update", "Microsoft Edge Update", MICROSOFT, "MicrosoftEdgeUpdate.exe", "Microsoft Corporation"),
                Account.SYSTEM, Parent.SERVICE_HOST, "C:\\Windows\\system32\\", 1,
                "\"C:\\Program Files (x86)\\Microsoft\\EdgeUpdate\\MicrosoftEdgeUpdate.exe\" /ua /installsource scheduler")
                .lookups(lookup("msedge.api.cdp.microsoft.com", "api.cdp.microsoft.com.akadns.net", "20.44."),
                        lookup("edge.microsoft.com", "edge-microsoft-com.dual-a-0036.a-msedge.net", "13.107."))
                .files("C:\\Program Files (x86)\\Microsoft\\EdgeUpdate\\Download\\{%g}\\%n.0.0.0\\MicrosoftEdge_X64_" + EDGE_VERSION + ".exe"),
        // Windows Error Reporting: uploads crash reports; the real data's 368 lookups of its upload host.
        new ProcessKind(system("wermgr.exe", "Windows Problem Reporting", "WerMgr"), Account.SYSTEM, Parent.SERVICE_HOST,
                "C:\\Windows\\system32\\", 2,
                "C:\\Windows\\system32\\wermgr.exe -upload",
                "\"C:\\Windows\\system32\\wermgr.exe\" \"-outproc\" \"0\" \"%n\" \"1404\" \"1340\" \"1408\" \"0\" \"0\" \"1412\" \"0\" \"0\" \"0\" \"0\" \"0\" ",
                "C:\\Windows\\system32\\wermgr.exe -queuereporting")
                .lookups(new Lookup("umwatson.events.data.microsoft.com", "onedsblobprdwus16.westus.cloudapp.azure.com", "20.189.", 443, true),
                        lookup("watson.microsoft.com", "watson.events.data.microsoft.com", "20.42."),
                        lookup("watson.events.data.microsoft.com", "onedscolprdwus04.westus.cloudapp.azure.com", "20.42."))
                .files("C:\\ProgramData\\Microsoft\\Windows\\WER\\Temp\\WER%H.tmp.WERInternalMetadata.xml",
                        "C:\\ProgramData\\Microsoft\\Windows\\WER\\ReportArchive\\AppCrash_msedge.exe_%H%H\\Report.wer")
                .values(value("HKLM\\SOFTWARE\\Microsoft\\Windows\\Windows Error Reporting\\LastQueueNetworkUploadTime", "QWORD (0x01da%n-0x%h)"))
                .modules(system("wer.dll", "Windows Error Reporting DLL"), system("Faultrep.dll", "Windows User Mode Crash Reporting DLL")),
        new ProcessKind(binary("C:\\Program Files\\Microsoft VS Code\\Code.exe", "1.87.2", "Visual Studio Code", "Microsoft Corporation"),
                Account.USER, Parent.SHELL, "C:\\Program Files\\Microsoft VS Code\\", 1,
                "\"C:\\Program Files\\Microsoft VS Code\\Code.exe\" ")
                .lookups(lookup("update.code.visualstudio.com", "vscode-update.azurewebsites.net", "13.64."),
                        lookup("marketplace.visualstudio.com", "marketplace-vs.trafficmanager.net", "13.107."),
                        lookup("api.github.com", null, "140.82."), lookup("github.com", null, "140.82."))
                .files(USER_HOME + "AppData\\Roaming\\Code\\logs\\%n\\main.log"),
        new ProcessKind(system("powershell.exe", "Windows PowerShell", "PowerShell.EXE", "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\"),
                Account.SYSTEM, Parent.SERVICE_HOST, "C:\\Windows\\system32\\", 1,
                "powershell.exe -NoProfile -NonInteractive -File \"C:\\Program Files\\CorpIT\\Inventory\\Collect-Inventory.ps1\"")
                .lookups(internal("inventory.corp.example.com", 443))
                .pipes(new String[] {"\\PSHost.%r.%p.DefaultAppDomain.powershell"})
                .files("C:\\Windows\\Temp\\__PSScriptPolicyTest_%h.ps1", "C:\\ProgramData\\CorpIT\\Inventory\\%n.json"),
        new ProcessKind(system("conhost.exe", "Console Window Host"), Account.SYSTEM, Parent.SERVICE_HOST,
                "C:\\Windows\\system32\\", 2, "\\??\\C:\\Windows\\system32\\conhost.exe 0xffffffff -ForceV1"),
        new ProcessKind(system("smartscreen.exe", "Windows Defender SmartScreen"), Account.USER, Parent.SERVICE_HOST,
                "C:\\Windows\\system32\\", 1, "C:\\Windows\\System32\\smartscreen.exe -Embedding")
                .lookups(lookup("nav.smartscreen.microsoft.com", "wd-prod-ss.trafficmanager.net", "20.73."),
                        lookup("checkappexec.microsoft.com", "wd-prod-ss.trafficmanager.net", "20.73.")),
        new ProcessKind(system("notepad.exe", "Notepad", "NOTEPAD.EXE"), Account.USER, Parent.SHELL, USER_HOME + "Documents\\", 1,
                "\"C:\\Windows\\system32\\NOTEPAD.EXE\" " + USER_HOME + "Documents\\todo.txt"),
    };

    private FleetCatalog() {}

    private static Binary system(String file, String description) {
        return system(file, description, file, "C:\\Windows\\System32\\");
    }

    private static Binary system(String file, String description, String originalFileName) {
        return system(file, description, originalFileName, "C:\\Windows\\System32\\");
    }

    private static Binary system(String file, String description, String originalFileName, String directory) {
        String build = switch (Math.floorMod(file.hashCode(), 4)) {
            case 0 -> "10.0.19041.1";
            case 1 -> "10.0.19041.3636";
            case 2 -> "10.0.19041.3996";
            default -> "10.0.19041.4046";
        };
        return new Binary(directory + file, build + " (WinBuild.160101.0800)", description, WINDOWS, MICROSOFT,
                originalFileName, "Microsoft Windows");
    }

    private static Binary binary(String path, String version, String description, String signature) {
        return new Binary(path, version, description, description, MICROSOFT,
                path.substring(path.lastIndexOf('\\') + 1), signature);
    }

    private static Binary office(String file, String description) {
        return new Binary(OFFICE_DIR + file, OFFICE_VERSION, description, "Microsoft Office", MICROSOFT, file,
                "Microsoft Corporation");
    }

    private static Binary officeModule(String file, String description) {
        return new Binary(OFFICE_DIR.replace("Office16\\", "vfs\\ProgramFilesCommonX64\\Microsoft Shared\\Office16\\") + file,
                OFFICE_VERSION, description, "Microsoft Office", MICROSOFT, file, "Microsoft Corporation");
    }

    private static Lookup lookup(String name, String cname, String addressPrefix) {
        return new Lookup(name, cname, addressPrefix, 443, false);
    }

    private static Lookup internal(String name, int port) {
        return new Lookup(name, null, "10.20.", port, false);
    }

    private static RegistryWrite value(String target, String details) {
        return new RegistryWrite(target, details);
    }

    /**
     * Stable per path, so every host runs the "same" binary; not the hash of any real file. The
     * algorithms are those of the widely used SwiftOnSecurity configuration: MD5, SHA256, IMPHASH.
     */
    private static String madeUpHashes(String path) {
        SplittableRandom r = new SplittableRandom(path.hashCode() * 0x9E3779B97F4A7C15L);
        return "MD5=" + hex(r, 32) + ",SHA256=" + hex(r, 64) + ",IMPHASH=" + hex(r, 32);
    }

    private static String hex(SplittableRandom r, int digits) {
        char[] out = new char[digits];
        for (int i = 0; i < digits; i++) {
            out[i] = "0123456789ABCDEF".charAt(r.nextInt(16));
        }
        return new String(out);
    }
}
