package io.oldguard.demo;

import ch.qos.logback.classic.Level;
import io.oldguard.simulator.LegacyInventorySimulator;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * The demo's second act: the incident's storm through oldguard for {@link #WITH}, then the same storm straight at a
 * fresh copy of the service for {@link #WITHOUT} (shorter, and bounded like every call of the scene: 20 storm
 * threads, 500 calls a second at most, 2 s per call), then the two side by side. A live line shows each second.
 */
final class StormScene {

    static final Duration WITH = Duration.ofSeconds(10);
    static final Duration WITHOUT = Duration.ofSeconds(3);
    private static final long TICK = TimeUnit.MILLISECONDS.toNanos(250);
    private static final int TICKS_PER_SECOND = 4;

    /** The unprotected copy of the service, started and stopped by the scene; the demo watches it like the first. */
    interface UnprotectedService {
        /** Starts a copy of the service on a free port with its own fresh database, whose name it returns with it. */
        Copy start() throws SQLException;

        record Copy(LegacyInventorySimulator service, String database) {
        }
    }

    private final PrintStream out;
    private final Progress progress;

    StormScene(PrintStream out, boolean terminal) {
        this.out = out;
        this.progress = new Progress(out, terminal);
    }

    /**
     * @param postgres  a superuser connection to the embedded PostgreSQL, for {@code pg_stat_activity}
     * @param service   the service oldguard protects
     * @param database  the database its pool uses
     */
    void play(Route.ThroughOldguard oldguard, LegacyInventorySimulator service, String database,
            UnprotectedService unprotected, Connection postgres) throws SQLException, InterruptedException {
        ch.qos.logback.classic.Logger audit = LoggerFactory.getLogger("oldguard.audit")
                instanceof ch.qos.logback.classic.Logger logback ? logback : null;
        Level auditLevel = audit == null ? null : audit.getLevel();
        say("");
        say("== The night of the incident, replayed for " + WITH.toSeconds() + " seconds");
        say("   promo-bot, an agent this demo adds with the GetStock tool, sends " + Load.STORM_RATE + " calls a second from "
                + Load.STORM_THREADS + " threads:");
        say("   invented item names first (\"the-blue-widget-from-the-promo\", ...), then 7-digit numbers that look valid");
        say("   but name no item. support-bot and order-bot keep working, " + Load.WORKING_RATE + " calls a second each.");
        say("   Each second: calls sent and refused, requests that reached the service (its own counter), its rate in the");
        say("   last second, and the connections its pool holds open (PostgreSQL's pg_stat_activity).");
        say("   oldguard's line for each call is not shown here (thousands); its warnings and CRITICAL lines are.");
        ArmFigures with;
        try {
            if (audit != null) {
                audit.setLevel(Level.WARN);
            }
            service.resetCounters();
            with = arm(oldguard, new ServiceGauge(service, postgres, database), WITH);
        } finally {
            if (audit != null) {
                audit.setLevel(auditLevel);
            }
        }
        say("");
        say("== The same storm without oldguard, for " + WITHOUT.toSeconds() + " seconds");
        say("   A second copy of the service, with its own database (fresh counters), started the same way; the same");
        say("   agents call it directly, as the 2008 clients did. Kept short, and at most "
                + Load.STORM_THREADS + " storm calls in flight.");
        ArmFigures without;
        UnprotectedService.Copy copy = unprotected.start();
        try (LegacyInventorySimulator direct = copy.service()) {
            without = arm(new Route.StraightToService(direct.endpoint()), new ServiceGauge(direct, postgres, copy.database()),
                    WITHOUT);
        }
        say("");
        say("== What the storm did, with oldguard and without (every figure measured in this run)");
        ContainmentTable.lines(with, without).forEach(this::say);
        say("   Requests and invalid calls: the service's own counters (an invalid call is one it answered with a fault).");
        say("   Calls before the halt: the storming agent's calls answered before oldguard's halt was in force.");
        say("   Peak rate: the most requests the service received in one second. Connections: those its pool held open,");
        say("   from pg_stat_activity. Success: calls of support-bot and order-bot answered with a result within "
                + Route.CALL_TIMEOUT.toSeconds() + " s.");
    }

    private ArmFigures arm(Route route, ServiceGauge gauge, Duration length) throws InterruptedException {
        Tally tally = new Tally();
        Watch watch = new Watch(gauge, tally);
        Thread watcher = Thread.ofPlatform().daemon().name("demo-progress").start(watch);
        try {
            new Load(route, tally).run(length);
        } finally {
            watch.stop();
            watcher.join();
            progress.done();
        }
        return new ArmFigures(length, gauge.received(), gauge.faults(), tally.stormSent.sum(), tally.stormHalted.sum(),
                tally.stormNotHalted.sum(), watch.peakRate, Math.max(watch.peakConnections, gauge.connections()), tally.othersSent.sum(),
                tally.othersSucceeded.sum());
    }

    /** Samples the service four times a second for the peaks, and shows the live line once a second. */
    private final class Watch implements Runnable {
        private final ServiceGauge gauge;
        private final Tally tally;
        private volatile boolean stopped;
        // Written by the watcher thread only, read after it is joined.
        private long peakRate;
        private int peakConnections;

        Watch(ServiceGauge gauge, Tally tally) {
            this.gauge = gauge;
            this.tally = tally;
        }

        void stop() {
            stopped = true;
        }

        @Override
        public void run() {
            long start = System.nanoTime();
            List<Long> received = new ArrayList<>(List.of(gauge.received()));
            for (int tick = 1; !stopped; tick++) {
                long wait = start + tick * TICK - System.nanoTime();
                if (wait > 0) {
                    try {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                long now = gauge.received();
                received.add(now);
                int connections = gauge.connections();
                peakConnections = Math.max(peakConnections, connections);
                if (tick < TICKS_PER_SECOND) {
                    continue;
                }
                long rate = now - received.get(tick - TICKS_PER_SECOND);
                peakRate = Math.max(peakRate, rate);
                if (tick % TICKS_PER_SECOND == 0 && !stopped) {
                    progress.show(String.format(Locale.ROOT,
                            "   %2d s  sent %,6d  refused %,6d  reached the service %,6d  service %,4d/s  db connections %d",
                            tick / TICKS_PER_SECOND, tally.sent.sum(), tally.refused.sum(), now, rate, connections));
                }
            }
        }
    }

    private void say(String line) {
        progress.done();
        out.println(line);
    }
}
