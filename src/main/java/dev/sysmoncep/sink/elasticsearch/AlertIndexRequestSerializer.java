package dev.sysmoncep.sink.elasticsearch;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.base.sink.writer.AsyncSinkWriterStateSerializer;

/**
 * Writes the alerts still buffered at a checkpoint into the sink's state, so that a restart sends
 * them instead of losing them. Strings go as length and UTF-8 bytes: writeUTF stops at 64 KiB.
 */
final class AlertIndexRequestSerializer extends AsyncSinkWriterStateSerializer<AlertIndexRequest> {

    @Override
    protected void serializeRequestToStream(AlertIndexRequest request, DataOutputStream out) throws IOException {
        writeString(out, request.index());
        out.writeBoolean(request.alertId() != null);
        if (request.alertId() != null) {
            writeString(out, request.alertId());
        }
        writeString(out, request.document());
    }

    @Override
    protected AlertIndexRequest deserializeRequestFromStream(long requestSize, DataInputStream in) throws IOException {
        String index = readString(in);
        String alertId = in.readBoolean() ? readString(in) : null;
        return new AlertIndexRequest(index, alertId, readString(in));
    }

    @Override
    public int getVersion() {
        return 1;
    }

    private static void writeString(DataOutputStream out, String value) throws IOException {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static String readString(DataInputStream in) throws IOException {
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
