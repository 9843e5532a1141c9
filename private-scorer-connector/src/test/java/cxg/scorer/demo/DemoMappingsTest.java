package cxg.scorer.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import cxg.scorer.platform.PlatformApiConfig;
import cxg.scorer.platform.PlatformClient;
import cxg.v1.Factor;
import cxg.v1.PlatformRating;
import cxg.v1.PlatformStatus;
import cxg.v1.ScorerRequest;
import cxg.v1.ScorerResponse;
import cxg.v1.SubjectId;
import cxg.v1.SubjectKind;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Serves the demo's WireMock mapping files (demo/&lt;platform&gt;/mappings) exactly as {@code ./cxg up}
 * does and asks them through the real platform client, so the demo data cannot silently rot:
 * valid check characters, values and tiers on the scales of policies/scales.yaml.
 */
class DemoMappingsTest {

    private static final Vertx VERTX = Vertx.vertx();

    @AfterAll
    static void closeVertx() {
        VERTX.close();
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String UNKNOWN_RESIDENT = "110101199003070011";

    private static Path demoRoot(String platform) {
        Path repo = Path.of(System.getProperty("cxg.home", ".."));
        Path root = repo.resolve("demo").resolve(platform);
        assertTrue(Files.isDirectory(root.resolve("mappings")), "missing " + root + "/mappings");
        return root;
    }

    /** The subject ids the rating mappings match on (the catch-all has none). */
    private static List<String> sampleSubjects(String platform) throws IOException {
        List<String> subjects = new ArrayList<>();
        try (Stream<Path> files = Files.list(demoRoot(platform).resolve("mappings"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                for (JsonNode pattern : JSON.readTree(file.toFile()).path("request").path("bodyPatterns")) {
                    JsonNode match = pattern.path("matchesJsonPath");
                    if ("$.subjectId".equals(match.path("expression").asText())) {
                        subjects.add(match.path("equalTo").asText());
                    }
                }
            }
        }
        return subjects;
    }

    private static SubjectKind kindOf(String subject) {
        if (CheckCharacters.validResidentId(subject)) {
            return SubjectKind.RESIDENT_ID;
        }
        if (CheckCharacters.validUnifiedSocialCreditCode(subject)) {
            return SubjectKind.UNIFIED_SOCIAL_CREDIT_CODE;
        }
        throw new AssertionError("demo subject with a wrong check character: " + subject);
    }

    private interface Check {
        void run(PlatformClient client) throws Exception;
    }

    private static void withPlatform(String platform, Check check) throws Exception {
        WireMockServer server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1")
                .usingFilesUnderDirectory(demoRoot(platform).toString()));
        server.start();
        try {
            PlatformApiConfig config = new PlatformApiConfig(URI.create(server.baseUrl()), Duration.ofSeconds(10),
                    platform, platform);
            check.run(new PlatformClient(config, VERTX));
        } finally {
            server.stop();
        }
    }

    private static ScorerResponse ask(PlatformClient client, String subject) throws Exception {
        return client.score(ScorerRequest.newBuilder()
                .setSubject(SubjectId.newBuilder().setKind(kindOf(subject)).setValue(subject))
                .setPurpose("court-enforcement").addCategories("FINANCIAL").build()).get();
    }

    /** The platform's scale as policies/scales.yaml defines it: the gateway normalises with it. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> scale(String platform) throws IOException {
        Path file = Path.of(System.getProperty("cxg.home", "..")).resolve("policies").resolve("scales.yaml");
        Map<String, Object> doc = new Yaml().load(Files.readString(file));
        return ((List<Map<String, Object>>) doc.get("scales")).stream()
                .filter(s -> platform.equals(s.get("id"))).findFirst()
                .orElseThrow(() -> new AssertionError("no scale " + platform + " in " + file));
    }

    /** The tier whose [from, to) holds the value (the best tier also holds max). */
    @SuppressWarnings("unchecked")
    private static String tierOnScale(String platform, double value) throws IOException {
        Map<String, Object> scale = scale(platform);
        double min = ((Number) scale.get("min")).doubleValue();
        double max = ((Number) scale.get("max")).doubleValue();
        assertTrue(value >= min && value <= max, platform + " value off its scale: " + value);
        for (Map<String, Object> tier : (List<Map<String, Object>>) scale.get("tiers")) {
            double from = ((Number) tier.get("from")).doubleValue();
            double to = ((Number) tier.get("to")).doubleValue();
            if (value >= from && (value < to || value == max)) {
                return (String) tier.get("label");
            }
        }
        throw new AssertionError(platform + " has no tier for " + value);
    }

    @Test
    void everyDemoSubjectIsValidAndGetsARatingOnItsScale() throws Exception {
        for (String platform : List.of("alpha-credit", "beta-score")) {
            List<String> subjects = sampleSubjects(platform);
            assertTrue(subjects.size() >= 4, platform + " has too few sample subjects");
            assertTrue(subjects.contains("11010519491231002X"), platform + " lacks the published resident sample");
            assertTrue(subjects.contains("91350100M000100Y43"), platform + " lacks the published organisation sample");
            withPlatform(platform, client -> {
                for (String subject : subjects) {
                    ScorerResponse response = ask(client, subject);
                    assertEquals(PlatformStatus.OK, response.getStatus(), platform + " " + response.getDetail());
                    PlatformRating rating = response.getRating();
                    assertEquals(tierOnScale(platform, rating.getValue()), rating.getTier(), platform + " tier");
                    assertTrue(rating.getValidUntil().getSeconds() > rating.getComputedAt().getSeconds());
                }
            });
        }
    }

    @Test
    void aSubjectUnknownToThePlatformGetsNoRating() throws Exception {
        assertEquals(SubjectKind.RESIDENT_ID, kindOf(UNKNOWN_RESIDENT));
        for (String platform : List.of("alpha-credit", "beta-score")) {
            withPlatform(platform, client ->
                    assertEquals(PlatformStatus.NO_RATING, ask(client, UNKNOWN_RESIDENT).getStatus(), platform));
        }
    }

    @Test
    void betaScoreHasNoRatingForOneSubjectAlphaCreditRates() throws Exception {
        Set<String> alphaOnly = sampleSubjects("alpha-credit").stream()
                .filter(s -> {
                    try {
                        return !sampleSubjects("beta-score").contains(s);
                    } catch (IOException e) {
                        throw new AssertionError(e);
                    }
                }).collect(Collectors.toSet());
        assertFalse(alphaOnly.isEmpty(), "every alpha-credit subject is also rated by beta-score");
        withPlatform("beta-score", client -> {
            for (String subject : alphaOnly) {
                assertEquals(PlatformStatus.NO_RATING, ask(client, subject).getStatus());
            }
        });
    }

    @Test
    void alphaCreditsRatingOfTheResidentSampleCarriesDataTheGatewayMustWithhold() throws Exception {
        withPlatform("alpha-credit", client -> {
            PlatformRating rating = ask(client, "11010519491231002X").getRating();
            Set<String> categories = rating.getFactorsList().stream().map(Factor::getCategory)
                    .collect(Collectors.toSet());
            assertTrue(categories.containsAll(Set.of("FINANCIAL", "JUDICIAL", "COMMERCIAL", "MEDICAL")), "" + categories);
            assertTrue(rating.getAttributesMap().containsKey("blood_type"));
        });
    }
}
