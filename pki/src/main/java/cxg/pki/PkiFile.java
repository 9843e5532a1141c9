package cxg.pki;

import java.nio.file.Path;

/** One file of the PKI directory and what an operation did to it. */
public record PkiFile(Path path, Outcome outcome) {

    public enum Outcome {
        CREATED("created"), KEPT("kept"), UPDATED("updated");

        private final String label;

        Outcome(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    @Override
    public String toString() {
        return outcome.label() + " " + path;
    }
}
