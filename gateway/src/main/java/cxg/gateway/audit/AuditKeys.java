package cxg.gateway.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Files of the audit key: the signer key (owner-only) and, beside it, the verifier key auditors are given. */
public final class AuditKeys {

    private AuditKeys() {
    }

    /** Loads the signer key from {@code file}, creating one named {@code name} when missing; writes {@code file.pub}. */
    public static NoteSigner loadOrCreateSigner(Path file, String name) throws IOException {
        NoteSigner signer;
        if (Files.exists(file)) {
            signer = NoteSigner.parse(Files.readString(file, StandardCharsets.US_ASCII));
        } else {
            signer = NoteSigner.generate(name);
            writePrivate(file, signer.encode() + "\n");
        }
        Files.writeString(file.resolveSibling(file.getFileName() + ".pub"), signer.verifierKey() + "\n", StandardCharsets.US_ASCII);
        return signer;
    }

    static void writePrivate(Path file, String content) throws IOException {
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(tmp);
        }
        Files.writeString(tmp, content, StandardCharsets.US_ASCII);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
