package dev.sysmoncep.read;

import com.github.luben.zstd.ZstdInputStream;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * The compressed file kinds a replay reads, told by the name's last extension in any letter case
 * ({@code .gz}, {@code .GZ}, {@code .json.gz}). The job opens them itself rather than through
 * Flink's decompressors: on a cluster those load in Flink's class loader, which does not see the
 * XZ and Zstandard libraries in the job jar. Zip archives are read entry by entry ({@link ZipLines}).
 */
enum Compression {
    GZIP("gz", "gzip"),
    BZIP2("bz2"),
    XZ("xz"),
    ZSTANDARD("zst"),
    DEFLATE("deflate"),
    ZIP("zip");

    private final String[] extensions;

    Compression(String... extensions) {
        this.extensions = extensions;
    }

    /** The kind a file of that name is, or null for an uncompressed one. */
    static Compression of(String fileName) {
        int dot = fileName.lastIndexOf('.');
        if (dot < 0) {
            return null;
        }
        String extension = fileName.substring(dot + 1).toLowerCase(Locale.ROOT);
        for (Compression c : values()) {
            for (String e : c.extensions) {
                if (e.equals(extension)) {
                    return c;
                }
            }
        }
        return null;
    }

    /** The uncompressed bytes; not for {@link #ZIP}, whose entries are separate. */
    InputStream open(InputStream in) throws IOException {
        InputStream buffered = new BufferedInputStream(in, 1 << 16);
        return switch (this) {
            case GZIP -> new GZIPInputStream(buffered, 1 << 16);
            case BZIP2 -> new BZip2CompressorInputStream(buffered, true);
            case XZ -> new XZInputStream(buffered);
            case ZSTANDARD -> new ZstdInputStream(buffered);
            case DEFLATE -> new InflaterInputStream(buffered);
            case ZIP -> throw new IllegalStateException("a zip archive is read entry by entry");
        };
    }
}
