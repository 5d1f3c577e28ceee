package dev.sysmoncep.sink;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sysmoncep.alert.AlertDocument;
import dev.sysmoncep.records.DeadLetter;
import dev.sysmoncep.records.Origin;
import dev.sysmoncep.records.SysmonEvent;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/** The JSON lines the job writes for alerts, dead letters and late events. */
public final class OutputLines {
    private static final ObjectMapper JSON = new ObjectMapper();

    private OutputLines() {}

    /**
     * The alert's document; none for a retracted alert. An alert file lists a replay's alerts, each
     * once and final, not a log of their changes, so a void alert has no line in it.
     */
    public static String alert(AlertDocument alert) {
        return alert.retracted ? null : alert.json;
    }

    /** Where the line came from, why it was refused, and the line itself (decoded leniently). */
    public static String deadLetter(DeadLetter d) {
        ObjectNode n = JSON.createObjectNode();
        origin(n, d.origin);
        n.put("reason", d.reason);
        n.put("length", d.length);
        n.put("truncated", d.truncated());
        n.put("line", lenientUtf8(d.raw));
        return n.toString();
    }

    /** A late event, with the normalised fields the rules saw. */
    public static String lateEvent(SysmonEvent e) {
        ObjectNode n = JSON.createObjectNode();
        origin(n, e.origin);
        n.put("reason", "event time behind the watermark by more than the out-of-order tolerance");
        n.put("event_time", Instant.ofEpochMilli(e.eventTime).toString());
        n.put("event_id", e.eventId);
        n.put("host", e.host);
        n.put("ProcessGuid", e.processGuid);
        n.put("ProcessId", e.processId);
        n.put("Image", e.image);
        n.put("EventType", e.eventType);
        n.put("PipeName", e.pipeName);
        n.put("QueryName", e.queryName);
        return n.toString();
    }

    private static void origin(ObjectNode n, Origin origin) {
        if (origin == null) {
            return;
        }
        n.put("origin", origin.toString());
        if (origin.isFile()) {
            n.put("file", origin.source);
            n.put(origin.byteOffset ? "offset" : "line_number", origin.position);
        } else {
            n.put("topic", origin.source);
            n.put("partition", origin.partition);
            n.put("offset", origin.position);
        }
    }

    static String lenientUtf8(byte[] raw) {
        if (raw == null) {
            return "";
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .decode(ByteBuffer.wrap(raw))
                    .toString();
        } catch (java.nio.charset.CharacterCodingException cannotHappenWithReplace) {
            throw new IllegalStateException(cannotHappenWithReplace);
        }
    }
}
