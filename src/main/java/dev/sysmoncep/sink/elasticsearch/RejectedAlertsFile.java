package dev.sysmoncep.sink.elasticsearch;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Appends rejected alerts to a file, one JSON object a line:
 * {@code {"alert_id", "index", "action", "status", "reason", "document"}}, the document as a string
 * because it may be the very thing that is not valid JSON. The file is opened at the first rejection, so a
 * healthy run leaves none, and each line goes out in one append, so the writers of a job on one
 * machine can share the file.
 */
public final class RejectedAlertsFile implements RejectedAlertHandler {
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String path;
    private transient OutputStream out;

    public RejectedAlertsFile(Path path) {
        this.path = path.toString();
    }

    @Override
    public void accept(RejectedAlert rejected) throws IOException {
        if (out == null) {
            Path file = Path.of(path);
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        ObjectNode line = JSON.createObjectNode()
                .put("alert_id", rejected.alertId())
                .put("index", rejected.index())
                .put("action", rejected.action())
                .put("status", rejected.status())
                .put("reason", rejected.reason())
                .put("document", rejected.document());
        out.write((JSON.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        if (out != null) {
            out.close();
            out = null;
        }
    }

    @Override
    public String toString() {
        return "RejectedAlertsFile{" + path + "}";
    }
}
