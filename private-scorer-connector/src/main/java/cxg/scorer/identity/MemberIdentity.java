package cxg.scorer.identity;

import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Who this connector is: the platform member it runs for, and where that member's
 * certificate, private key and the member CA certificate live (the dev PKI layout of
 * {@code ./cxg pki init}). The same identity will sign and submit ratings to the gateway.
 */
public final class MemberIdentity {

    private static final Pattern MEMBER_ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    private final String memberId;
    private final Path pkiDir;

    private MemberIdentity(String memberId, Path pkiDir) {
        this.memberId = memberId;
        this.pkiDir = pkiDir;
    }

    /** @throws IllegalArgumentException naming the config key when a value is unusable */
    public static MemberIdentity of(String memberId, Path pkiDir) {
        if (memberId == null || !MEMBER_ID.matcher(memberId).matches()) {
            throw new IllegalArgumentException(
                    "cxg.member: must be a member id of lower-case letters, digits and '-', e.g. alpha-credit");
        }
        Objects.requireNonNull(pkiDir, "cxg.pki.dir");
        return new MemberIdentity(memberId, pkiDir.toAbsolutePath().normalize());
    }

    public String memberId() {
        return memberId;
    }

    public Path pkiDir() {
        return pkiDir;
    }

    /** PEM certificate of this member, also served as the TLS server certificate. */
    public Path certificate() {
        return pkiDir.resolve(memberId + ".crt");
    }

    /** PEM PKCS#8 private key of this member. */
    public Path privateKey() {
        return pkiDir.resolve(memberId + ".key");
    }

    /** PEM certificate of the member CA: the only issuer this connector trusts. */
    public Path caCertificate() {
        return pkiDir.resolve("ca.crt");
    }

    @Override
    public String toString() {
        return "MemberIdentity[" + memberId + " @ " + pkiDir + "]";
    }
}
