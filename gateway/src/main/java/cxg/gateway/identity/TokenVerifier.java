package cxg.gateway.identity;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

/**
 * Checks the bearer token of one call, locally: signature against the realm's keys ({@link JwksKeys}),
 * issuer, lifetime, audience, and that the token is bound (RFC 8705 {@code cnf.x5t#S256}) to the very
 * certificate that made the TLS connection and was issued to the member that certificate belongs to.
 * Plain Java; the gRPC interceptor maps a refusal to {@code UNAUTHENTICATED}.
 */
public final class TokenVerifier {

    private static final String BEARER = "Bearer ";
    /** Tokens remembered after a full verification; far more than the members' live tokens. */
    static final int DEFAULT_CACHE_CAPACITY = 10_000;

    private final String issuer;
    private final String audience;
    private final JwksKeys keys;
    private final Clock clock;
    private final Duration leeway;
    private final VerifiedTokenCache cache;

    public TokenVerifier(String issuer, String audience, JwksKeys keys, Clock clock, Duration leeway) {
        this(issuer, audience, keys, clock, leeway, DEFAULT_CACHE_CAPACITY);
    }

    /** @param cacheCapacity most verified tokens remembered; 0 verifies every call in full */
    public TokenVerifier(String issuer, String audience, JwksKeys keys, Clock clock, Duration leeway, int cacheCapacity) {
        this.issuer = issuer;
        this.audience = audience;
        this.keys = keys;
        this.clock = clock;
        this.leeway = leeway;
        this.cache = new VerifiedTokenCache(cacheCapacity);
    }

    /**
     * The signature, issuer, audience and lifetime of a token are checked once and remembered until it
     * expires ({@link VerifiedTokenCache}); a remembered token is trusted only while the realm's key set
     * as last fetched still has the key that signed it, so a key that a re-fetch no longer lists (removed
     * or rotated out in Keycloak) stops its tokens at once, cached or not. The certificate binding, the
     * member and the expiry are checked on every call.
     *
     * @param authorization the {@code authorization} header of the call (may be null)
     * @param peer          the verified TLS client certificate of the connection
     * @param memberId      the member that certificate belongs to
     */
    public TokenCheck verify(String authorization, X509Certificate peer, String memberId) {
        return verify(authorization == null ? null : authorization.getBytes(StandardCharsets.US_ASCII), peer, memberId);
    }

    /**
     * As {@link #verify(String, X509Certificate, String)}, with the header as it arrived (ASCII; not modified). A
     * token this connection's certificate sent before is found by comparing its bytes ({@link VerifiedTokenCache#recent}).
     */
    public TokenCheck verify(byte[] authorization, X509Certificate peer, String memberId) {
        if (authorization == null || isBlank(authorization)) {
            return TokenCheck.refused("token-missing", "no bearer token (send header authorization: Bearer <token from realm cxg>)");
        }
        if (!startsWithBearer(authorization)) {
            return TokenCheck.refused("token-missing", "authorization header is not a bearer token");
        }
        // the token is authorization[from, to), trimmed as String.trim() would; copied out only to verify it in full
        int from = BEARER.length();
        int to = authorization.length;
        while (from < to && (authorization[from] & 0xFF) <= ' ') {
            from++;
        }
        while (to > from && (authorization[to - 1] & 0xFF) <= ' ') {
            to--;
        }
        Instant now = clock.instant();
        VerifiedTokenCache.Recent recent = cache.recent(peer, authorization, from, to);
        VerifiedTokenCache.Key key;
        VerifiedTokenCache.Entry entry;
        if (recent != null) {
            key = recent.key();
            entry = recent.entry();
        } else {
            key = VerifiedTokenCache.keyOf(authorization, from, to);
            entry = cache.get(key);
        }
        if (entry != null && !keys.stillHas(entry.kid, entry.key)) {
            cache.remove(key);
            entry = null;
        }
        if (entry == null) {
            Verified verified = verifyToken(new String(authorization, from, to - from, StandardCharsets.US_ASCII), now);
            if (verified.problem != null) {
                return TokenCheck.refused(verified.rule, verified.problem);
            }
            entry = verified.entry;
            cache.put(key, entry, now);
        }
        TokenCheck check = checkCall(key, entry, peer, memberId, now);
        if (recent == null && check.isAccepted()) {
            cache.rememberRecent(peer, authorization, from, to, key, entry);
        }
        return check;
    }

    /** As {@code String.isBlank()} of the header read as ASCII. */
    private static boolean isBlank(byte[] header) {
        for (byte b : header) {
            if (!Character.isWhitespace((char) (b & 0xFF)) || b < 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean startsWithBearer(byte[] header) {
        if (header.length < BEARER.length()) {
            return false;
        }
        for (int i = 0; i < BEARER.length(); i++) {
            byte b = header[i];
            if (b < 0 || Character.toLowerCase((char) b) != Character.toLowerCase(BEARER.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** The checks that depend on the call, not only on the token. */
    private TokenCheck checkCall(VerifiedTokenCache.Key key, VerifiedTokenCache.Entry entry, X509Certificate peer,
                                 String memberId, Instant now) {
        if (!now.isBefore(entry.refuseFrom)) {
            cache.remove(key);
            return TokenCheck.refused("token-lifetime", "token expired");
        }
        if (peer != entry.confirmedPeer) {
            if (!MessageDigest.isEqual(entry.boundThumbprint.getBytes(StandardCharsets.US_ASCII),
                    thumbprint(peer).getBytes(StandardCharsets.US_ASCII))) {
                return TokenCheck.refused("token-binding", "token is bound to another certificate");
            }
            entry.confirmedPeer = peer;
        }
        if (!memberId.equals(entry.client)) {
            return TokenCheck.refused("token-client", "token was issued to client " + (entry.client == null ? "(none)" : entry.client)
                    + ", not to member " + memberId);
        }
        return TokenCheck.accepted(entry.token);
    }

    /** A token that passed the token-only checks, or why it did not. */
    private record Verified(VerifiedTokenCache.Entry entry, String rule, String problem) {
        static Verified refused(String rule, String problem) {
            return new Verified(null, rule, problem);
        }
    }

    /** Everything that depends on the token alone: form, signature, issuer, lifetime, audience, binding present. */
    private Verified verifyToken(String jwt, Instant now) {
        String[] parts = jwt.split("\\.", -1);
        if (parts.length != 3) {
            return Verified.refused("token-form", "bearer token is not a signed JWT");
        }
        JsonObject header;
        JsonObject claims;
        byte[] signature;
        try {
            header = json(parts[0]);
            claims = json(parts[1]);
            signature = Base64.getUrlDecoder().decode(parts[2]);
        } catch (IllegalArgumentException | JsonException | ClassCastException e) {
            return Verified.refused("token-form", "bearer token is not a signed JWT");
        }

        String alg = string(header, "alg");
        String jcaAlg = jcaAlgorithm(alg);
        if (jcaAlg == null) {
            return Verified.refused("token-form", "token signature algorithm " + (alg == null ? "(none)" : alg) + " is not accepted");
        }
        String kid = string(header, "kid");
        Optional<PublicKey> key = kid == null ? Optional.empty() : keys.key(kid);
        if (key.isEmpty()) {
            return Verified.refused("token-signature", "token is signed with a key realm cxg does not have");
        }
        if (!signatureValid(jcaAlg, key.get(), parts[0] + "." + parts[1], signature)) {
            return Verified.refused("token-signature", "token signature is invalid");
        }
        if (!issuer.equals(string(claims, "iss"))) {
            return Verified.refused("token-issuer", "token was not issued by realm cxg");
        }
        Optional<Instant> exp = instant(claims, "exp");
        if (exp.isEmpty()) {
            return Verified.refused("token-lifetime", "token has no expiry");
        }
        if (!now.isBefore(exp.get().plus(leeway))) {
            return Verified.refused("token-lifetime", "token expired");
        }
        Optional<Instant> nbf = instant(claims, "nbf");
        if (nbf.isPresent() && now.plus(leeway).isBefore(nbf.get())) {
            return Verified.refused("token-lifetime", "token is not valid yet");
        }
        if (!strings(claims.get("aud")).contains(audience)) {
            return Verified.refused("token-audience", "token is not meant for audience " + audience);
        }
        String bound = claims.containsKey("cnf") && claims.get("cnf").getValueType() == JsonValue.ValueType.OBJECT
                ? string(claims.getJsonObject("cnf"), "x5t#S256") : null;
        if (bound == null) {
            return Verified.refused("token-binding", "token is not bound to a certificate (request it over mutual TLS)");
        }
        String client = string(claims, "azp");
        Set<String> roles = claims.containsKey("realm_access")
                && claims.get("realm_access").getValueType() == JsonValue.ValueType.OBJECT
                ? strings(claims.getJsonObject("realm_access").get("roles")) : Set.of();
        return new Verified(new VerifiedTokenCache.Entry(kid, key.get(), exp.get().plus(leeway), bound, client,
                new VerifiedToken(client == null ? "" : client, roles, exp.get())), null, null);
    }

    /** How many verified tokens are remembered (for tests). */
    int cachedTokens() {
        return cache.size();
    }

    /** RFC 8705 certificate thumbprint: base64url (no padding) of the SHA-256 of the certificate's DER. */
    public static String thumbprint(X509Certificate cert) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(cert.getEncoded());
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 over a certificate failed", e);
        }
    }

    /** The JCA name of an accepted JWS algorithm, else null (never {@code none} or HMAC). */
    private static String jcaAlgorithm(String alg) {
        return alg == null ? null : switch (alg) {
            case "RS256" -> "SHA256withRSA";
            case "RS384" -> "SHA384withRSA";
            case "RS512" -> "SHA512withRSA";
            case "ES256" -> "SHA256withECDSAinP1363Format";
            case "ES384" -> "SHA384withECDSAinP1363Format";
            case "ES512" -> "SHA512withECDSAinP1363Format";
            default -> null;
        };
    }

    private static boolean signatureValid(String jcaAlg, PublicKey key, String signedPart, byte[] signature) {
        try {
            Signature verifier = Signature.getInstance(jcaAlg);
            verifier.initVerify(key);
            verifier.update(signedPart.getBytes(StandardCharsets.US_ASCII));
            return verifier.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            // wrong key type for the algorithm, malformed signature: same answer as a bad signature
            return false;
        }
    }

    private static JsonObject json(String base64url) {
        try (JsonReader r = Json.createReader(new StringReader(
                new String(Base64.getUrlDecoder().decode(base64url), StandardCharsets.UTF_8)))) {
            return r.readObject();
        }
    }

    private static String string(JsonObject o, String name) {
        JsonValue v = o.get(name);
        return v instanceof JsonString s ? s.getString() : null;
    }

    private static Optional<Instant> instant(JsonObject o, String name) {
        JsonValue v = o.get(name);
        return v != null && v.getValueType() == JsonValue.ValueType.NUMBER
                ? Optional.of(Instant.ofEpochSecond(o.getJsonNumber(name).longValue())) : Optional.empty();
    }

    /** A claim that is a string or an array of strings, as a set. */
    private static Set<String> strings(JsonValue v) {
        Set<String> out = new HashSet<>();
        if (v instanceof JsonString s) {
            out.add(s.getString());
        } else if (v instanceof JsonArray a) {
            for (JsonValue item : a) {
                if (item instanceof JsonString s) {
                    out.add(s.getString());
                }
            }
        }
        return out;
    }
}
