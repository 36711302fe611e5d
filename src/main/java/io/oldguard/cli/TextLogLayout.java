package io.oldguard.cli;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import net.logstash.logback.argument.StructuredArgument;
import net.logstash.logback.marker.SingleFieldAppendingMarker;

/**
 * The {@code text} log format: one short line per event for a person reading a terminal, e.g.
 * {@code 13:26:32.008 INFO  support-bot GetStock -> ok (200, 11 ms)}. A CRITICAL event (an agent halted) says
 * CRITICAL where the level stands and is framed by {@code !!!} so it stands out among the others. The structured
 * fields stay in the JSON format; here only a call's status and latency follow its message.
 */
public final class TextLogLayout extends LayoutBase<ILoggingEvent> {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());
    private static final String CRITICAL = "CRITICAL";

    @Override
    public String doLayout(ILoggingEvent event) {
        StringBuilder line = new StringBuilder(128);
        line.append(TIME.format(Instant.ofEpochMilli(event.getTimeStamp()))).append(' ');
        String message = event.getFormattedMessage();
        if (CRITICAL.equals(field(event, "severity"))) {
            String said = message.startsWith(CRITICAL + " ") ? message.substring(CRITICAL.length() + 1) : message;
            line.append(CRITICAL).append(" !!! ").append(said).append(" !!!");
        } else {
            line.append(String.format("%-5s ", event.getLevel())).append(message);
            String status = field(event, "status");
            String latency = field(event, "latencyMs");
            if (status != null && latency != null) {
                line.append(" (").append(status).append(", ").append(latency).append(" ms)");
            }
        }
        line.append(CoreConstants.LINE_SEPARATOR);
        IThrowableProxy thrown = event.getThrowableProxy();
        if (thrown != null) {
            line.append(ThrowableProxyUtil.asString(thrown)).append(CoreConstants.LINE_SEPARATOR);
        }
        return line.toString();
    }

    /** The value of a {@code kv(name, value)} argument of the event, as text; null when it has none. */
    static String field(ILoggingEvent event, String name) {
        Object[] arguments = event.getArgumentArray();
        if (arguments == null) {
            return null;
        }
        for (Object argument : arguments) {
            // kv(..) renders itself as name=value; the value is what follows the name.
            if (argument instanceof SingleFieldAppendingMarker field && field.getFieldName().equals(name)
                    && argument instanceof StructuredArgument) {
                String rendered = field.toStringSelf();
                return rendered.startsWith(name + "=") ? rendered.substring(name.length() + 1) : rendered;
            }
        }
        return null;
    }
}
