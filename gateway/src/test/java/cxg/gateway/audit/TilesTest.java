package cxg.gateway.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** C2SP tlog-tiles paths and entry bundles, as a mirror or verifier outside cxg reads them. */
class TilesTest {

    @Test
    void tileIndexesAreWrittenInThreeDigitGroupsAsTheC2spSpecShows() {
        assertEquals("000", Tiles.encodeIndex(0));
        assertEquals("007", Tiles.encodeIndex(7));
        assertEquals("999", Tiles.encodeIndex(999));
        assertEquals("x001/000", Tiles.encodeIndex(1000));
        assertEquals("x001/x234/067", Tiles.encodeIndex(1234067));
        assertEquals("tile/1/x001/x234/067.p/8", Tiles.tilePath(1, 1234067, 8));
        assertEquals("tile/entries/x010/020", Tiles.bundlePath(10020, 256));
    }

    @Test
    void aBundleIsEachEntryPrefixedWithItsBigEndianLengthAndDecodesBack() {
        byte[] big = new byte[300];
        big[299] = 9;
        List<byte[]> entries = List.of(new byte[] {1, 2, 3}, new byte[0], big);
        byte[] bundle = Tiles.encodeBundle(entries);
        assertEquals(2 + 3 + 2 + 2 + 300, bundle.length);
        assertArrayEquals(new byte[] {0, 3, 1, 2, 3, 0, 0, 1, 44}, java.util.Arrays.copyOf(bundle, 9));
        List<byte[]> back = Tiles.decodeBundle(bundle);
        assertEquals(3, back.size());
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(entries.get(i), back.get(i));
        }
    }
}
