package io.oldguard.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Which settings of an edited {@code sidecar.yaml} a running sidecar cannot apply live: everything but
 * {@code agents} and {@code backends.<name>.limits} — and the WSDL files, read once at start. Ports are bound, pools opened and backends built at start, so these are reported to the
 * operator as needing a restart rather than silently ignored.
 */
public final class RestartRequired {

    private RestartRequired() {
    }

    /**
     * Keys of the settings whose value differs (e.g. {@code backends.inventory.maxConnections}); empty if none.
     *
     * @param wsdlDigests {@link #wsdlDigests} of the running configuration, taken at start: an edited WSDL file is
     *                    a change too ({@code backends.<name>.wsdl})
     */
    public static List<String> between(SidecarConfig running, Map<String, String> wsdlDigests, SidecarConfig edited) {
        List<String> keys = new ArrayList<>(between(running, edited));
        wsdlDigests(edited).forEach((name, digest) -> {
            if (wsdlDigests.containsKey(name) && !digest.equals(wsdlDigests.get(name)) && !keys.contains("backends." + name + ".wsdl")) {
                keys.add("backends." + name + ".wsdl");
            }
        });
        return List.copyOf(keys);
    }

    /** Each backend's WSDL file, hashed; a file that cannot be read hashes to "unreadable". */
    public static Map<String, String> wsdlDigests(SidecarConfig config) {
        Map<String, String> digests = new java.util.TreeMap<>();
        config.backends().forEach((name, backend) -> {
            try {
                byte[] bytes = java.nio.file.Files.readAllBytes(config.resolve(backend.wsdl()));
                digests.put(name, java.util.HexFormat.of().formatHex(
                        java.security.MessageDigest.getInstance("SHA-256").digest(bytes)));
            } catch (java.io.IOException | java.security.NoSuchAlgorithmException e) {
                digests.put(name, "unreadable");
            }
        });
        return digests;
    }

    /** Keys of the settings whose value differs (e.g. {@code backends.inventory.maxConnections}); empty if none. */
    public static List<String> between(SidecarConfig running, SidecarConfig edited) {
        List<String> keys = new ArrayList<>();
        same(keys, "listeners", running.listeners(), edited.listeners());
        same(keys, "requests", running.requests(), edited.requests());
        entries(keys, "backends", withoutLimits(running.backends()), withoutLimits(edited.backends()));
        entries(keys, "databases", running.databases(), edited.databases());
        same(keys, "policies", running.policiesDir(), edited.policiesDir());
        same(keys, "policyWatch", running.policyWatch(), edited.policyWatch());
        same(keys, "halts", running.halts(), edited.halts());
        same(keys, "admin", running.admin(), edited.admin());
        same(keys, "cluster", running.cluster(), edited.cluster());
        same(keys, "capture", running.capture(), edited.capture());
        same(keys, "approvals", running.approvals(), edited.approvals());
        same(keys, "audit", running.audit(), edited.audit());
        return List.copyOf(keys);
    }

    /** Backend-wide limits apply live; what else a backend sets does not. */
    private static Map<String, SoapBackendConfig> withoutLimits(Map<String, SoapBackendConfig> backends) {
        Map<String, SoapBackendConfig> rest = new java.util.HashMap<>();
        backends.forEach((name, b) -> rest.put(name, b == null ? null : b.withLimits(BackendLimits.defaults())));
        return rest;
    }

    /**
     * Adds {@code key} if the values differ — or, for two records of one type, the key of each component that
     * differs, so an edit is named by the setting changed ({@code backends.inventory.maxConnections}), not the
     * block it sits in. Record components carry the YAML keys' names.
     */
    private static void same(List<String> keys, String key, Object running, Object edited) {
        if (Objects.equals(running, edited)) {
            return;
        }
        if (running instanceof Record r && edited instanceof Record e && r.getClass() == e.getClass()) {
            try {
                for (java.lang.reflect.RecordComponent component : r.getClass().getRecordComponents()) {
                    same(keys, key + "." + component.getName(), component.getAccessor().invoke(r),
                            component.getAccessor().invoke(e));
                }
                return;
            } catch (ReflectiveOperationException unreadable) {
                // A record whose accessors cannot be called from here: name the block, as before.
            }
        }
        keys.add(key);
    }

    private static void entries(List<String> keys, String key, Map<String, ?> running, Map<String, ?> edited) {
        TreeSet<String> names = new TreeSet<>(running.keySet());
        names.addAll(edited.keySet());
        for (String name : names) {
            same(keys, key + "." + name, running.get(name), edited.get(name));
        }
    }
}
