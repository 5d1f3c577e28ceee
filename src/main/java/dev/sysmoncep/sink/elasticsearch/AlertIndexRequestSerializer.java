package dev.sysmoncep.sink.elasticsearch;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.base.sink.writer.AsyncSinkWriterStateSerializer;

/**
 * Writes the alerts still buffered at a checkpoint into the sink's state, so that a restart sends
 * them instead of losing them. Strings go as length and UTF-8 bytes: writeUTF stops at 64 KiB.
 *
 * <p>Each request: its index, a byte of flags ({@link #HAS_ID}, {@link #RETRACTION}), the alert id if
 * it has one, the document. Version 1 wrote a boolean for whether the id follows, which reads as these
 * flags without {@link #RETRACTION}: state of version 1 restores as it is.
 */
final class AlertIndexRequestSerializer extends AsyncSinkWriterStateSerializer<AlertIndexRequest> {
    private static final int HAS_ID = 1;
    private static final int RETRACTION = 2;

    @Override
    protected void serializeRequestToStream(AlertIndexRequest request, DataOutputStream out) throws IOException {
        writeString(out, request.index());
        out.writeByte((request.alertId() != null ? HAS_ID : 0) | (request.isRetraction() ? RETRACTION : 0));
        if (request.alertId() != null) {
            writeString(out, request.alertId());
        }
        writeString(out, request.document());
    }

    @Override
    protected AlertIndexRequest deserializeRequestFromStream(long requestSize, DataInputStream in) throws IOException {
        String index = readString(in);
        int flags = in.readByte();
        String alertId = (flags & HAS_ID) != 0 ? readString(in) : null;
        String document = readString(in);
        return (flags & RETRACTION) != 0 ? AlertIndexRequest.retraction(index, alertId, document)
                : new AlertIndexRequest(index, alertId, document);
    }

    @Override
    public int getVersion() {
        return 2;
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
