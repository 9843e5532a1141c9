package cxg.gateway.query;

import cxg.gateway.policy.Disclosure;
import cxg.gateway.subject.SubjectId;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/** A score query that passed edge validation. An absent disclosure means "the most the agreement grants". */
public record ValidatedQuery(SubjectId subject, String purpose, Set<String> categories,
                             Optional<Disclosure> disclosure, String requestId) {
    public ValidatedQuery {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(purpose, "purpose");
        categories = Set.copyOf(categories);
        Objects.requireNonNull(disclosure, "disclosure");
        Objects.requireNonNull(requestId, "requestId");
    }
}
