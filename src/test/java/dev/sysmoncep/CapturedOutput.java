package dev.sysmoncep;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * Everything this JVM logs (every logger at DEBUG, with stack traces) and writes to stdout and
 * stderr while it is open, for tests that look for what must never be written. The console keeps
 * getting only warnings, so the test's own output stays readable.
 */
public final class CapturedOutput implements AutoCloseable {
    private final StringBuilder logged = new StringBuilder();
    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final LoggerContext context = (LoggerContext) LogManager.getContext(false);
    private final LoggerConfig root = context.getConfiguration().getRootLogger();
    private final Level rootLevel = root.getLevel();
    private final Appender console = context.getConfiguration().getAppender("console");
    private final PrintStream out = System.out;
    private final PrintStream err = System.err;
    private final Appender capture;
    private long events;

    public CapturedOutput() {
        capture = new AbstractAppender("captured-output", null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                synchronized (logged) {
                    events++;
                    logged.append(event.getLevel()).append(' ').append(event.getLoggerName()).append(" - ")
                            .append(event.getMessage().getFormattedMessage()).append('\n');
                    if (event.getThrown() != null) {
                        StringWriter trace = new StringWriter();
                        event.getThrown().printStackTrace(new PrintWriter(trace));
                        logged.append(trace);
                    }
                }
            }
        };
        capture.start();
        if (console != null) {
            root.removeAppender(console.getName());
            root.addAppender(console, Level.WARN, null);
        }
        root.addAppender(capture, Level.ALL, null);
        root.setLevel(Level.DEBUG);
        context.updateLoggers();
        System.setOut(new PrintStream(new Tee(out), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new Tee(err), true, StandardCharsets.UTF_8));
    }

    /** All log lines and all that was printed so far. */
    public String text() {
        synchronized (logged) {
            synchronized (printed) {
                return logged + "\n--- stdout and stderr\n" + printed.toString(StandardCharsets.UTF_8);
            }
        }
    }

    public long logEvents() {
        synchronized (logged) {
            return events;
        }
    }

    @Override
    public void close() {
        System.setOut(out);
        System.setErr(err);
        root.setLevel(rootLevel);
        context.updateLoggers();
        root.removeAppender(capture.getName());
        if (console != null) {
            root.removeAppender(console.getName());
            root.addAppender(console, null, null);
        }
        context.updateLoggers();
        capture.stop();
    }

    /** Writes through to the real stream and keeps a copy. */
    private final class Tee extends java.io.OutputStream {
        private final PrintStream real;

        Tee(PrintStream real) {
            this.real = real;
        }

        @Override
        public void write(int b) {
            real.write(b);
            synchronized (printed) {
                printed.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) {
            real.write(b, off, len);
            synchronized (printed) {
                printed.write(b, off, len);
            }
        }
    }
}
