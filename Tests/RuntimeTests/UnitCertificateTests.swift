import ConfigurationFiles
import Foundation
import OpenFlow
import SwiftASN1
import Testing
import UnitProtocol
import X509

@testable import Runtime

@Suite struct UnitCertificateTests {
    static func folder() -> CertificateAuthorityFolder {
        CertificateAuthorityFolder(
            path: FileManager.default.temporaryDirectory.appendingPathComponent("echelon-pki-\(UUID().uuidString)").path
        )
    }

    static func chain(_ path: String) throws -> [[UInt8]] {
        [try PEMDocument(pemString: String(contentsOfFile: path, encoding: .utf8)).derBytes]
    }

    static func authority(_ folder: CertificateAuthorityFolder) throws -> Certificate {
        try Certificate(pemEncoded: String(contentsOfFile: folder.certificatePath, encoding: .utf8))
    }

    @Test func aUnitCertificateProvesTheUIDItNames() async throws {
        let pki = Self.folder()
        defer { try? FileManager.default.removeItem(atPath: pki.path) }
        try pki.create(name: "test CA", days: 10)
        let files = try pki.issue(uid: UnitID(11), name: "tier1-a", days: 10)
        let verifier = UnitCertificateVerifier(authority: try Self.authority(pki))
        #expect(try await verifier.verify(chain: Self.chain(files.certificate)) == .success(UnitID(11)))
        // The key is its owner's only.
        let attributes = try FileManager.default.attributesOfItem(atPath: files.key)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        // Nothing is made twice.
        #expect(throws: CertificateFolderError.self) { try pki.create(name: "again", days: 10) }
        #expect(throws: CertificateFolderError.self) { try pki.issue(uid: UnitID(11), name: "again", days: 10) }
    }

    @Test func eachCertificateThatProvesNothingIsRefusedWithItsReason() async throws {
        let pki = Self.folder()
        let other = Self.folder()
        defer {
            try? FileManager.default.removeItem(atPath: pki.path)
            try? FileManager.default.removeItem(atPath: other.path)
        }
        try pki.create(name: "our CA", days: 10)
        try other.create(name: "their CA", days: 10)
        let verifier = UnitCertificateVerifier(authority: try Self.authority(pki))

        let foreign = try other.issue(uid: UnitID(11), name: "stranger", days: 10)
        let refusal = try await verifier.verify(chain: Self.chain(foreign.certificate))
        #expect(
            refusal.failureDescription?.contains("issued by CN=their CA,O=Echelon control plane") == true,
            "\(refusal)")
        #expect(refusal.failureDescription?.contains("does not chain to this control plane's CA") == true)

        let expired = try pki.issue(uid: UnitID(12), name: "old", days: 1, now: Date().addingTimeInterval(-3 * 86_400))
        #expect(
            try await verifier.verify(chain: Self.chain(expired.certificate)).failureDescription?.contains("expired on")
                == true)

        // The CA's own certificate chains to itself, but names no unit.
        #expect(
            try await verifier.verify(chain: Self.chain(pki.certificatePath)).failureDescription?.contains(
                "names no unit")
                == true)
        #expect(await verifier.verify(chain: []).failureDescription == "it presented no certificate")
        #expect(
            await verifier.verify(chain: [[0x30, 0x03, 0x02, 0x01]]).failureDescription?.hasPrefix(
                "its certificate does not parse") == true)
    }

    @Test func aUnitIsNamedByOneURI() throws {
        #expect(UnitCertificates.uri(for: UnitID(42)) == "urn:echelon:unit:42")
        let now = Date()
        let (authority, key) = try UnitCertificates.makeAuthority(name: "CA", now: now, days: 1)
        #expect(UnitCertificates.uid(namedBy: authority) == nil)
        let (unit, _) = try UnitCertificates.issue(
            for: .unit(UnitID(7)), name: "u", authority: authority, authorityKey: key, now: now, days: 1)
        #expect(UnitCertificates.uid(namedBy: unit) == UnitID(7))
        let (networkSwitch, _) = try UnitCertificates.issue(
            for: .networkSwitch(), name: "s1", authority: authority, authorityKey: key, now: now, days: 1)
        #expect(UnitCertificates.uid(namedBy: networkSwitch) == nil)
        #expect(UnitCertificates.datapathIDs(namedBy: networkSwitch).ids.isEmpty)
        // A switch's certificate may name the DPIDs its holder may claim.
        let (bridges, _) = try UnitCertificates.issue(
            for: .networkSwitch(datapathIDs: [DatapathID(0xe1), DatapathID(0xe3)]), name: "ovs", authority: authority,
            authorityKey: key, now: now, days: 1)
        let claimed = UnitCertificates.datapathIDs(namedBy: bridges)
        #expect(claimed.ids == [DatapathID(0xe1), DatapathID(0xe3)] && !claimed.malformed)
        #expect(UnitCertificates.uri(forSwitch: DatapathID(0xe1)) == "urn:echelon:switch:00000000000000e1")
        // Host names for the admin API's clients leave the UID as it is.
        let (named, _) = try UnitCertificates.issue(
            for: .unit(UnitID(8), hosts: ["10.0.0.5", "::1", "unit8.lab"]), name: "u", authority: authority,
            authorityKey: key, now: now, days: 1)
        #expect(UnitCertificates.uid(namedBy: named) == UnitID(8))
        let names = try #require(try named.extensions.subjectAlternativeNames)
        #expect(names.contains(.ipAddress(ASN1OctetString(contentBytes: [10, 0, 0, 5]))))
        #expect(
            names.contains(
                .ipAddress(ASN1OctetString(contentBytes: ArraySlice([UInt8](repeating: 0, count: 15) + [1])))))
        #expect(names.contains(.dnsName("unit8.lab")))
    }

    @Test func onlyAnAdminClientsCertificateOpensTheAdminAPI() async throws {
        let pki = Self.folder()
        defer { try? FileManager.default.removeItem(atPath: pki.path) }
        try pki.create(name: "our CA", days: 10)
        let verifier = UnitCertificateVerifier(authority: try Self.authority(pki))
        let admin = try pki.issueAdmin(name: "alice", days: 10)
        #expect(admin.certificate.hasSuffix("/admin-alice.pem"))
        #expect(try await verifier.verifyAdmin(chain: Self.chain(admin.certificate)) == .success("alice"))
        // An admin's certificate names no unit, and a unit's or a switch's names no admin,
        // though all three chain to the same CA.
        #expect(try await verifier.verify(chain: Self.chain(admin.certificate)).failureDescription != nil)
        let unit = try pki.issue(uid: UnitID(3), name: "unit-3", days: 10)
        let networkSwitch = try pki.issueSwitch(name: "s1", days: 10)
        for files in [unit, networkSwitch] {
            let refusal = try await verifier.verifyAdmin(chain: Self.chain(files.certificate))
            #expect(refusal.failureDescription?.contains("names no admin client") == true, "\(refusal)")
        }
        #expect(throws: CertificateFolderError.self) { try pki.issueAdmin(name: "alice", days: 10) }
        #expect(throws: CertificateFolderError.self) { try pki.issueAdmin(name: "al ice", days: 10) }
        #expect(throws: CertificateFolderError.self) { try pki.issueAdmin(name: "élise", days: 10) }
    }

    @Test func missingFilesStopTheUnitWithTheFileNamed() {
        let files = TLSFiles(
            certificate: "/nonexistent/unit-1.pem", key: "/nonexistent/unit-1-key.pem", ca: "/nonexistent/ca.pem")
        #expect {
            _ = try UnitTLS(files: files, for: .units)
        } throws: { error in
            "\(error)".contains("units.tls.certificate: cannot read /nonexistent/unit-1.pem")
        }
    }
}

extension Result where Failure == UnitCertificateRefusal {
    var failureDescription: String? {
        if case .failure(let refusal) = self { return refusal.description }
        return nil
    }
}
