package cxg.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class CompanionsTest {

    @Test
    void tablesTheMedianAndTailOfEveryJmhBenchmark() {
        String json = """
                [
                    {
                        "jmhVersion" : "1.37",
                        "benchmark" : "cxg.gateway.identity.TokenBenchmark.callWithTokenCheck",
                        "mode" : "sample",
                        "primaryMetric" : {
                            "score" : 412.5,
                            "scorePercentiles" : {
                                "0.0" : 201.0,
                                "50.0" : 388.096,
                                "90.0" : 512.0,
                                "99.0" : 1020.4
                            },
                            "scoreUnit" : "us/op"
                        },
                        "secondaryMetrics" : {
                        }
                    },
                    {
                        "jmhVersion" : "1.37",
                        "benchmark" : "cxg.gateway.identity.TokenBenchmark.verifyRemembered",
                        "mode" : "sample",
                        "primaryMetric" : {
                            "score" : 0.9,
                            "scorePercentiles" : {
                                "50.0" : 0.8,
                                "90.0" : 1.25,
                                "99.0" : 3.0
                            },
                            "scoreUnit" : "us/op"
                        }
                    }
                ]
                """;
        String table = Companions.tokenTable(json);
        String rows = table.substring(table.indexOf("|---"));
        assertEquals("""
                |---|---:|---:|---:|---|
                | `callWithTokenCheck` | 388.1 | 512.0 | 1020.4 | us/op |
                | `verifyRemembered` | 0.8 | 1.3 | 3.0 | us/op |
                """, rows);
    }
}
