package cxg.audit.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class Rfc6962Test {

    private static final HexFormat HEX = HexFormat.of();
    // RFC 6962 reference tree used by Certificate Transparency implementations (transparency-dev/merkle testonly).
    private static final String[] LEAVES = {"", "00", "10", "2021", "3031", "40414243",
        "5051525354555657", "606162636465666768696a6b6c6d6e6f"};
    private static final String[] ROOTS = {
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    };

    private static List<byte[]> leaves(int n) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Rfc6962.leaf(HEX.parseHex(LEAVES[i])));
        }
        return out;
    }

    @Test
    void rootsMatchTheReferenceTree() {
        for (int n = 0; n <= 8; n++) {
            assertEquals(ROOTS[n], HEX.formatHex(Rfc6962.root(leaves(n))), "size " + n);
        }
    }

    @Test
    void verifiesThePublishedConsistencyProofFromSixToEight() {
        List<byte[]> proof = List.of(
                HEX.parseHex("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
                HEX.parseHex("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
                HEX.parseHex("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"));
        assertTrue(Rfc6962.verifyConsistency(6, 8, HEX.parseHex(ROOTS[6]), HEX.parseHex(ROOTS[8]), proof));
        assertFalse(Rfc6962.verifyConsistency(6, 8, HEX.parseHex(ROOTS[5]), HEX.parseHex(ROOTS[8]), proof));
    }

    @Test
    void verifiesInclusionOfEveryLeafOfTheReferenceTree() {
        List<byte[]> l = leaves(8);
        // Audit path of leaf 0 in the 8-leaf tree: its sibling, then the roots of leaves 2-3 and 4-7.
        List<byte[]> proof = List.of(l.get(1), Rfc6962.root(l.subList(2, 4)), Rfc6962.root(l.subList(4, 8)));
        assertTrue(Rfc6962.verifyInclusion(0, 8, l.get(0), proof, HEX.parseHex(ROOTS[8])));
        assertFalse(Rfc6962.verifyInclusion(1, 8, l.get(0), proof, HEX.parseHex(ROOTS[8])));
        assertFalse(Rfc6962.verifyInclusion(0, 8, l.get(2), proof, HEX.parseHex(ROOTS[8])));
    }
}
