package cxg.gateway.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import cxg.v1.Factor;
import cxg.v1.FactorDirection;
import cxg.v1.PlatformRating;
import cxg.v1.ReportedScore;
import cxg.v1.Withheld;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random scorer answers, with prohibited data disguised in category names, factor codes and
 * attribute keys, never get anything prohibited or non-granted past the filter. The oracle
 * is a naive re-implementation of keyword matching, independent of the filter's automaton.
 */
class AnswerFilterProperties {
    private static final PolicySet DEMO = PolicyFixtures.loadDemo();
    private static final CategoryTaxonomy TAXONOMY = DEMO.categories();
    private static final List<String> KEYWORDS = TAXONOMY.prohibited().stream()
            .flatMap(c -> java.util.stream.Stream.concat(TAXONOMY.keywords(c).stream(), java.util.stream.Stream.of(c)))
            .toList();
    private static final List<String> CATEGORIES = new ArrayList<>(TAXONOMY.allowed()) {{
        addAll(TAXONOMY.prohibited());
        add("HOROSCOPE");
        add("");
    }};
    private static final List<String[]> REQUESTS = List.of(
            new String[] {"court", "court-enforcement"}, new String[] {"court", "loan-eligibility"},
            new String[] {"railway", "travel-restriction-check"}, new String[] {"railway", "deposit-waiver"});

    @Property(tries = 400)
    void nothingProhibitedOrNotGrantedLeavesTheGateway(@ForAll("answers") PlatformRating raw, @ForAll("decisions") Decision decision) {
        AnswerFilter.Filtered out = DEMO.answerFilter().filter(raw.getPlatform(), raw, decision);
        ReportedScore score = out.score();
        if (decision.disclosure() != Disclosure.FULL) {
            assertEquals(0, score.getFactorsCount());
        }
        if (decision.disclosure() == Disclosure.TIER_ONLY) {
            assertFalse(score.hasNormalizedValue() || score.hasOriginalValue() || score.hasScale());
        } else {
            assertTrue(score.getNormalizedValue() >= 0 && score.getNormalizedValue() <= 1000);
        }
        assertNull(naiveProhibited(score.getTier()));
        for (Factor f : score.getFactorsList()) {
            assertTrue(decision.grantedCategories().contains(f.getCategory()), () -> "not granted: " + f.getCategory());
            assertFalse(TAXONOMY.isProhibited(f.getCategory()));
            assertNull(naiveProhibited(f.getCategory()), f::getCategory);
            assertNull(naiveProhibited(f.getCode()), f::getCode);
            assertNull(naiveProhibited(f.getDescription()), f::getDescription);
            for (String key : f.getAttributesMap().keySet()) {
                assertNull(naiveProhibited(key), () -> "attribute key leaked: " + key);
            }
        }
        for (Withheld w : out.withheld()) {
            for (String value : raw.getAttributesMap().values()) {
                assertFalse(w.getField().contains(value) || w.getCategory().contains(value) || w.getReason().contains(value));
            }
        }
    }

    @Provide
    Arbitrary<Decision> decisions() {
        Arbitrary<String[]> request = Arbitraries.of(REQUESTS);
        Arbitrary<Set<String>> asked = Arbitraries.of(TAXONOMY.allowed()).set().ofMaxSize(3);
        Arbitrary<Disclosure> disclosure = Arbitraries.of(Disclosure.values()).injectNull(0.3);
        return Combinators.combine(request, asked, disclosure).as((r, c, d) ->
                DEMO.decide(DEMO.member(r[0]).orElseThrow(), r[1], c, d)).filter(Decision::allowed);
    }

    @Provide
    Arbitrary<PlatformRating> answers() {
        Arbitrary<Factor> factor = Combinators.combine(category(), words(), words(),
                Arbitraries.maps(key(), Arbitraries.strings().alpha().ofLength(6).map(s -> "v-" + s)).ofMaxSize(4))
                .as((category, code, description, attributes) -> Factor.newBuilder().setCategory(category).setCode(code)
                        .setDescription(description).setDirection(FactorDirection.POSITIVE).putAllAttributes(attributes).build());
        return Combinators.combine(Arbitraries.of("alpha-credit", "beta-score"), Arbitraries.doubles().between(-100, 1200),
                        factor.list().ofMaxSize(12), Arbitraries.maps(key(), Arbitraries.strings().alpha().ofLength(8)
                                .map(s -> "val-" + s)).ofMaxSize(4), words())
                .as((platform, value, factors, attributes, tier) -> PlatformRating.newBuilder().setPlatform(platform)
                        .setValue(value).setTier(tier).addAllFactors(factors).putAllAttributes(attributes).build());
    }

    private Arbitrary<String> category() {
        return Arbitraries.oneOf(Arbitraries.of(CATEGORIES), Arbitraries.of(CATEGORIES).flatMap(AnswerFilterProperties::disguise));
    }

    private Arbitrary<String> key() {
        return Arbitraries.oneOf(Arbitraries.strings().alpha().numeric().withChars('_', '-').ofMinLength(1).ofMaxLength(12),
                Arbitraries.of(KEYWORDS).flatMap(AnswerFilterProperties::disguise),
                Combinators.combine(Arbitraries.strings().alpha().ofMaxLength(5), Arbitraries.of(KEYWORDS)
                        .flatMap(AnswerFilterProperties::disguise)).as((prefix, k) -> prefix + "_" + k));
    }

    private Arbitrary<String> words() {
        return Arbitraries.oneOf(Arbitraries.strings().alpha().withChars(' ', '-').ofMaxLength(16), key());
    }

    /** The same word with random case (including non-ASCII capitals of i and k) and random separators between its letters. */
    static Arbitrary<String> disguise(String word) {
        return Arbitraries.of(' ', '-', '_', '.', '\0').list().ofSize(word.length()).flatMap(seps ->
                Arbitraries.integers().between(0, Integer.MAX_VALUE).map(bits -> {
                    StringBuilder b = new StringBuilder();
                    for (int i = 0; i < word.length(); i++) {
                        char c = word.charAt(i);
                        boolean upper = ((bits >> (i % 31)) & 1) == 1;
                        if (upper && Character.toLowerCase(c) == 'i' && ((bits >> ((i + 7) % 31)) & 1) == 1) {
                            b.append('\u0130'); // dotted capital I, lower case 'i'
                        } else if (upper && Character.toLowerCase(c) == 'k' && ((bits >> ((i + 7) % 31)) & 1) == 1) {
                            b.append('\u212A'); // Kelvin sign, lower case 'k'
                        } else if (((bits >> ((i + 13) % 31)) & 3) == 3 && Character.isLetter(c)) {
                            b.append(styled(Character.toLowerCase(c), bits >> ((i + 3) % 31)));
                        } else {
                            b.append(upper ? Character.toUpperCase(c) : Character.toLowerCase(c));
                        }
                        char sep = seps.get(i);
                        if (sep != '\0' && Character.isLetterOrDigit(c)) {
                            b.append(sep);
                        }
                    }
                    return b.toString();
                }));
    }

    /** A look-alike of an ASCII lower-case letter: mathematical bold, circled, accented or a Cyrillic homoglyph. */
    private static String styled(char c, int bits) {
        String cyrillic = CYRILLIC.get(c);
        switch (bits & 3) {
            case 0:
                return new String(Character.toChars(0x1D41A + c - 'a'));
            case 1:
                return String.valueOf((char) (0x24D0 + c - 'a'));
            case 2:
                return c + "\u0301";
            default:
                return cyrillic != null ? cyrillic : String.valueOf(c);
        }
    }

    private static final Map<Character, String> CYRILLIC = Map.of(
            'a', "\u0430", 'c', "\u0441", 'e', "\u0435", 'i', "\u0456", 'o', "\u043E", 'p', "\u0440", 's', "\u0455", 'x', "\u0445", 'y', "\u0443");

    /** Reference: strip everything but letters and digits, lower-case, look for each keyword. */
    static String naiveProhibited(String text) {
        String folded = fold(text);
        for (String category : TAXONOMY.prohibited()) {
            if (folded.contains(fold(category))) {
                return category;
            }
            for (String k : TAXONOMY.keywords(category)) {
                if (folded.contains(fold(k))) {
                    return category;
                }
            }
        }
        return null;
    }

    private static String fold(String s) {
        String plain = Normalizer.normalize(s, Normalizer.Form.NFKD);
        for (Map.Entry<Character, String> e : CYRILLIC.entrySet()) {
            plain = plain.replace(e.getValue(), String.valueOf(e.getKey()));
        }
        return plain.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    }
}
