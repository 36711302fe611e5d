package io.oldguard.testing;

/** Reads one sample from the admin port's Prometheus text. */
public final class Metrics {

    private Metrics() {
    }

    /** The value of the first sample whose name and labels start with {@code series}, or NaN. */
    public static double value(Http admin, String series) {
        for (String line : admin.get("/metrics", null).body().split("\n")) {
            if (line.startsWith(series)) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return Double.NaN;
    }
}
