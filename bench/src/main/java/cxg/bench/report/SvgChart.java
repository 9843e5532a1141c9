package cxg.bench.report;

import java.util.List;
import java.util.Locale;

/**
 * Latency percentiles against offered load, one colour per path and one dash pattern per
 * percentile, on a logarithmic latency axis. Plain SVG, no dependencies.
 */
public final class SvgChart {

    /** One line: a path's percentile at each offered rate (NaN where it has no value). */
    public record Series(String path, String percentile, double[] ratesPerSecond, double[] latencyMillis) {
    }

    private static final String[] COLOURS = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd"};
    private static final String[] DASHES = {"", "6,4", "2,3", "10,3,2,3"};
    private static final int W = 820;
    private static final int H = 500;
    private static final int LEFT = 70;
    private static final int RIGHT = 200;
    private static final int TOP = 40;
    private static final int BOTTOM = 60;

    private SvgChart() {
    }

    public static String render(String title, List<String> paths, List<String> percentiles, List<Series> series) {
        double maxRate = 0;
        double minLat = Double.MAX_VALUE;
        double maxLat = 0;
        for (Series s : series) {
            for (int i = 0; i < s.ratesPerSecond.length; i++) {
                maxRate = Math.max(maxRate, s.ratesPerSecond[i]);
                double l = s.latencyMillis[i];
                if (l > 0 && !Double.isNaN(l)) {
                    minLat = Math.min(minLat, l);
                    maxLat = Math.max(maxLat, l);
                }
            }
        }
        if (maxLat == 0) {
            minLat = 0.1;
            maxLat = 1;
        }
        double lo = Math.pow(10, Math.floor(Math.log10(minLat)));
        double hi = Math.pow(10, Math.ceil(Math.log10(maxLat)));
        if (hi <= lo) {
            hi = lo * 10;
        }
        double xMax = niceCeil(maxRate * 1.05);
        int pw = W - LEFT - RIGHT;
        int ph = H - TOP - BOTTOM;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n",
                W, H, W, H));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", W, H));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"15\" font-weight=\"bold\">%s</text>%n", LEFT, esc(title)));
        // y grid: decades and 2x/5x
        for (double d = lo; d <= hi * 1.0001; d *= 10) {
            for (int k : new int[] {1, 2, 5}) {
                double v = d * k;
                if (v > hi * 1.0001) {
                    break;
                }
                double y = TOP + ph - (Math.log10(v / lo) / Math.log10(hi / lo)) * ph;
                svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\"/>%n",
                        LEFT, y, LEFT + pw, y, k == 1 ? "#bbb" : "#eee"));
                svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                        LEFT - 6, y + 4, fmt(v)));
            }
        }
        for (int i = 0; i <= 5; i++) {
            double v = xMax * i / 5;
            double x = LEFT + pw * i / 5.0;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#eee\"/>%n", x, TOP, x, TOP + ph));
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", x, TOP + ph + 18, fmt(v)));
        }
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#333\"/>%n", LEFT, TOP, pw, ph));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">offered load (requests/s, open model)</text>%n",
                LEFT + pw / 2, H - 18));
        svg.append(String.format(Locale.ROOT,
                "<text transform=\"translate(18,%d) rotate(-90)\" text-anchor=\"middle\">latency (ms, log scale)</text>%n", TOP + ph / 2));
        for (Series s : series) {
            String colour = COLOURS[Math.max(0, paths.indexOf(s.path)) % COLOURS.length];
            String dash = DASHES[Math.max(0, percentiles.indexOf(s.percentile)) % DASHES.length];
            StringBuilder pts = new StringBuilder();
            for (int i = 0; i < s.ratesPerSecond.length; i++) {
                double l = s.latencyMillis[i];
                if (Double.isNaN(l) || l <= 0) {
                    continue;
                }
                double x = LEFT + pw * s.ratesPerSecond[i] / xMax;
                double y = TOP + ph - (Math.log10(Math.max(l, lo) / lo) / Math.log10(hi / lo)) * ph;
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
                svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"/>%n", x, y, colour));
            }
            svg.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s/>%n",
                    pts.toString().trim(), colour, dash.isEmpty() ? "" : " stroke-dasharray=\"" + dash + "\""));
        }
        int ly = TOP + 10;
        for (int p = 0; p < paths.size(); p++) {
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"4\" fill=\"%s\"/>%n",
                    LEFT + pw + 15, ly - 4, COLOURS[p % COLOURS.length]));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", LEFT + pw + 35, ly, esc(paths.get(p))));
            ly += 18;
        }
        ly += 8;
        for (int q = 0; q < percentiles.size(); q++) {
            String dash = DASHES[q % DASHES.length];
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\" stroke-width=\"2\"%s/>%n",
                    LEFT + pw + 15, ly - 4, LEFT + pw + 45, ly - 4, dash.isEmpty() ? "" : " stroke-dasharray=\"" + dash + "\""));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", LEFT + pw + 52, ly, esc(percentiles.get(q))));
            ly += 18;
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static double niceCeil(double v) {
        if (v <= 0) {
            return 1;
        }
        double mag = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * mag >= v) {
                return m * mag;
            }
        }
        return 10 * mag;
    }

    private static String fmt(double v) {
        if (v >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (v >= 1) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        return String.format(Locale.ROOT, "%s", Double.toString(v).replaceAll("0+$", ""));
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
