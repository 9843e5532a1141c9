package cxg.gateway.audit;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Writes the export file that {@code cxg-audit-verify verify --export} checks (format
 * {@code cxg-audit-export/v1}, documented in audit-verifier/README.md): a signed checkpoint, the
 * selected entries with their inclusion proofs in that checkpoint's tree, and consistency proofs
 * from the tree sizes the auditor already trusts.
 */
public final class AuditExport {

    public static final String FORMAT = "cxg-audit-export/v1";

    private AuditExport() {
    }

    /**
     * @param checkpoint a checkpoint this log signed (its size bounds the entries)
     * @param select which entries to include, by their bytes
     * @param trustedSizes sizes of checkpoints the reader may already trust; a consistency proof from each is included
     */
    public static String write(AuditLog log, SignedCheckpoint checkpoint, Predicate<byte[]> select, List<Long> trustedSizes) {
        long n = checkpoint.size();
        Base64.Encoder b64 = Base64.getEncoder();
        List<Object> entries = new ArrayList<>();
        final int chunk = 4096;
        for (long from = 0; from < n; from += chunk) {
            List<byte[]> batch = log.entries(from, Math.min(n, from + chunk));
            for (int i = 0; i < batch.size(); i++) {
                byte[] data = batch.get(i);
                if (!select.test(data)) {
                    continue;
                }
                long index = from + i;
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("index", index);
                e.put("data", b64.encodeToString(data));
                e.put("proof", log.inclusionProof(index, n).stream().map(b64::encodeToString).toList());
                entries.add(e);
            }
        }
        List<Object> consistency = new ArrayList<>();
        for (long m : trustedSizes) {
            if (m < 1 || m == n || m > log.size()) {
                continue;
            }
            long from = Math.min(m, n);
            long to = Math.max(m, n);
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("from", from);
            c.put("to", to);
            c.put("proof", log.consistencyProof(from, to).stream().map(b64::encodeToString).toList());
            consistency.add(c);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("format", FORMAT);
        out.put("checkpoint", checkpoint.note());
        out.put("entries", entries);
        out.put("consistency", consistency);
        return CanonicalJson.write(out);
    }
}
