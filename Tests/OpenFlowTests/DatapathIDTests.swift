import OpenFlow
import Testing

@Suite struct DatapathIDTests {
    @Test func sixteenHexDigitsReadBackWhatDescriptionWrites() {
        for raw: UInt64 in [0, 1, 0xe1, 0x0000_0a0b_0c0d_0e0f, .max] {
            #expect(DatapathID(sixteenHexDigits: DatapathID(raw).description) == DatapathID(raw))
        }
        #expect(DatapathID(sixteenHexDigits: "00000000000000E1") == DatapathID(0xe1))
        for bad in ["e1", "0000000000000e1", "000000000000000e1", "0x000000000000e1", "00000000000000g1", ""] {
            #expect(DatapathID(sixteenHexDigits: bad) == nil, "\(bad)")
        }
    }
}
