package dev.sysmoncep.generate;

import com.fasterxml.jackson.core.io.SerializedString;

/**
 * JSON names and constant values of the flat and ECS lines, encoded once: an ECS line has some
 * forty of them, and escaping each on every line showed in profiles.
 */
final class JsonText {
    static final SerializedString PROVIDER = new SerializedString("Microsoft-Windows-Sysmon");
    /** JSON collectors write the provider GUID in lower case. */
    static final SerializedString PROVIDER_GUID_VALUE = new SerializedString("{5770385f-c22a-43e0-bf4c-06f5698ffbd9}");
    static final SerializedString CHANNEL_VALUE = new SerializedString("Microsoft-Windows-Sysmon/Operational");
    static final SerializedString KEYWORDS_VALUE = new SerializedString("0x8000000000000000");
    static final SerializedString LEVEL_VALUE = new SerializedString("4");
    // OTRF flat JSON
    static final SerializedString SOURCE_NAME = new SerializedString("SourceName");
    static final SerializedString PROVIDER_GUID = new SerializedString("ProviderGuid");
    static final SerializedString LEVEL = new SerializedString("Level");
    static final SerializedString KEYWORDS = new SerializedString("Keywords");
    static final SerializedString CHANNEL = new SerializedString("Channel");
    static final SerializedString HOSTNAME = new SerializedString("Hostname");
    static final SerializedString TIME_CREATED = new SerializedString("TimeCreated");
    static final SerializedString TIMESTAMP = new SerializedString("@timestamp");
    static final SerializedString EVENT_ID = new SerializedString("EventID");
    static final SerializedString MESSAGE = new SerializedString("Message");
    static final SerializedString TASK = new SerializedString("Task");
    // Winlogbeat ECS
    static final SerializedString AGENT = new SerializedString("agent");
    static final SerializedString NAME = new SerializedString("name");
    static final SerializedString TYPE = new SerializedString("type");
    static final SerializedString VERSION = new SerializedString("version");
    static final SerializedString WINLOGBEAT = new SerializedString("winlogbeat");
    static final SerializedString WINLOGBEAT_VERSION = new SerializedString("8.13.4");
    static final SerializedString ECS = new SerializedString("ecs");
    static final SerializedString ECS_VERSION = new SerializedString("8.0.0");
    static final SerializedString DESTINATION = new SerializedString("destination");
    static final SerializedString SOURCE = new SerializedString("source");
    static final SerializedString IP = new SerializedString("ip");
    static final SerializedString PORT = new SerializedString("port");
    static final SerializedString DNS = new SerializedString("dns");
    static final SerializedString QUESTION = new SerializedString("question");
    static final SerializedString ANSWERS = new SerializedString("answers");
    static final SerializedString DATA = new SerializedString("data");
    static final SerializedString RESOLVED_IP = new SerializedString("resolved_ip");
    static final SerializedString SYSMON_MODULE = new SerializedString("sysmon");
    static final SerializedString STATUS = new SerializedString("status");
    static final SerializedString EVENT = new SerializedString("event");
    static final SerializedString ACTION = new SerializedString("action");
    static final SerializedString CATEGORY = new SerializedString("category");
    static final SerializedString CODE = new SerializedString("code");
    static final SerializedString CREATED = new SerializedString("created");
    static final SerializedString KIND = new SerializedString("kind");
    static final SerializedString KIND_EVENT = new SerializedString("event");
    static final SerializedString MODULE = new SerializedString("module");
    static final SerializedString SYSMON = new SerializedString("sysmon");
    static final SerializedString PROVIDER_NAME_SHORT = new SerializedString("provider");
    static final SerializedString FILE = new SerializedString("file");
    static final SerializedString PATH = new SerializedString("path");
    static final SerializedString HOST = new SerializedString("host");
    static final SerializedString LOG = new SerializedString("log");
    static final SerializedString LEVEL_NAME = new SerializedString("level");
    static final SerializedString INFORMATION = new SerializedString("information");
    static final SerializedString NETWORK = new SerializedString("network");
    static final SerializedString PROTOCOL = new SerializedString("protocol");
    static final SerializedString DNS_PROTOCOL = new SerializedString("dns");
    static final SerializedString TRANSPORT = new SerializedString("transport");
    static final SerializedString REGISTRY = new SerializedString("registry");
    static final SerializedString PROCESS = new SerializedString("process");
    static final SerializedString PARENT = new SerializedString("parent");
    static final SerializedString COMMAND_LINE = new SerializedString("command_line");
    static final SerializedString ENTITY_ID = new SerializedString("entity_id");
    static final SerializedString EXECUTABLE = new SerializedString("executable");
    static final SerializedString PID = new SerializedString("pid");
    static final SerializedString WORKING_DIRECTORY = new SerializedString("working_directory");
    static final SerializedString USER = new SerializedString("user");
    static final SerializedString DOMAIN = new SerializedString("domain");
    static final SerializedString WINLOG = new SerializedString("winlog");
    static final SerializedString API = new SerializedString("api");
    static final SerializedString WINEVENTLOG = new SerializedString("wineventlog");
    static final SerializedString CHANNEL_NAME = new SerializedString("channel");
    static final SerializedString COMPUTER_NAME = new SerializedString("computer_name");
    static final SerializedString EVENT_DATA = new SerializedString("event_data");
    static final SerializedString EVENT_ID_NAME = new SerializedString("event_id");
    static final SerializedString OPCODE = new SerializedString("opcode");
    static final SerializedString INFO = new SerializedString("Info");
    static final SerializedString THREAD = new SerializedString("thread");
    static final SerializedString ID = new SerializedString("id");
    static final SerializedString PROVIDER_GUID_NAME = new SerializedString("provider_guid");
    static final SerializedString PROVIDER_NAME = new SerializedString("provider_name");
    static final SerializedString RECORD_ID = new SerializedString("record_id");
    static final SerializedString TASK_NAME = new SerializedString("task");
    /** The account the Sysmon service writes as, the same on every record. */
    static final SerializedString SERVICE_USER = new SerializedString(
            "{\"domain\":\"NT AUTHORITY\",\"identifier\":\"S-1-5-18\",\"name\":\"SYSTEM\",\"type\":\"Well Known Group\"}");

    private JsonText() {}
}
