import ConfigurationFiles
import ControlPlane
import Foundation
import Runtime
import Testing
import UnitProtocol

/// One description of a whole control plane: the unit files derived from it, and what only
/// the whole can show.
@Suite struct ControlPlaneDescriptionTests {
    static let valid = """
        {"name": "t", "probeKey": "00112233445566778899aabbccddeeff",
         "units": [
           {"name": "top", "uid": 20, "tier": 2, "switches": "127.0.0.1:7653", "units": "127.0.0.1:7644",
            "admin": "127.0.0.1:7620", "services": [{"service": "forwarding", "sid": 200}]},
           {"name": "a", "uid": 11, "tier": 1, "switches": "127.0.0.1:7633", "units": "127.0.0.1:7645",
            "admin": "127.0.0.1:7611", "upstream": ["top"], "peers": ["b"],
            "settings": {"dispatch": {"switchWindow": 64}}},
           {"name": "b", "uid": 12, "tier": 1, "switches": "127.0.0.1:7634", "units": "0.0.0.0:7646",
            "admin": "127.0.0.1:7612", "upstream": ["top"], "peers": ["a"]}],
         "domains": [{"name": "A", "unit": "a", "switches": [1, 2]}, {"name": "B", "unit": "b", "switches": [3]}]}
        """

    /// A description written to a file of its own, for `load`.
    static func written(_ json: String) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("cp-\(UUID().uuidString).json").path
        try Data(json.utf8).write(to: URL(fileURLWithPath: file))
        return file
    }

    /// The problem a description has, as `path: problem`, or nil.
    static func problem(_ json: String) -> String? {
        guard let file = try? written(json) else { return "not written" }
        defer { try? FileManager.default.removeItem(atPath: file) }
        do {
            let description = try ControlPlaneDescription.load(path: file)
            _ = try description.unitFiles(file: file, descriptionFolder: "/tmp", folder: "/tmp")
            return nil
        } catch {
            return "\(error.path): \(error.problem)"
        }
    }

    static func replacing(_ old: String, with new: String) -> String {
        valid.replacingOccurrences(of: old, with: new)
    }

    @Test func eachUnitsFileIsDerivedWithItsNeighboursAddressesAndTheSharedKey() throws {
        let file = try Self.written(Self.valid)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let description = try ControlPlaneDescription.load(path: file)
        let files = try description.unitFiles(file: file, descriptionFolder: "/tmp", folder: "/tmp")
        #expect(files.map(\.name) == ["top", "a", "b"])
        let a = try JSONDecoder().decode(UnitConfiguration.self, from: files[1].json)
        #expect(a.uid.rawValue == 11 && a.tier == 1 && a.switches.listen.port == 7633)
        #expect(a.units.upstream.map(\.address) == [SocketAddressSpec(host: "127.0.0.1", port: 7644)])
        // b listens on every interface: dialed on loopback.
        #expect(a.units.peers.map(\.address) == [SocketAddressSpec(host: "127.0.0.1", port: 7646)])
        #expect(a.links.probeKey?.count == 16 && a.dispatch.switchWindow == 64)
        let top = try JSONDecoder().decode(UnitConfiguration.self, from: files[0].json)
        #expect(top.services.map(\.sid) == [200] && top.units.upstream.isEmpty)
        // Units prove who they are with certificates in pki/ beside the files, and each file
        // names the units it expects: its neighbours by UID, and the units below it.
        #expect(a.units.tls == TLSFiles(certificate: "pki/unit-11.pem", key: "pki/unit-11-key.pem", ca: "pki/ca.pem"))
        #expect(a.units.trust == .certified(expected: [UnitID(20): .upstream, UnitID(12): .peer]))
        #expect(top.units.downstream == [ExpectedUnit(name: "a", uid: 11), ExpectedUnit(name: "b", uid: 12)])
        // The web page is the top unit's, following the others.
        #expect(description.webPage.hasPrefix("http://127.0.0.1:\(top.admin.listen.port)/?units=127.0.0.1:"))
        #expect(description.webPage.split(separator: ",").count == 2)
    }

    static let topologies = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../topologies").standardized

    /// Every description under topologies/.
    static var descriptions: [URL] {
        let folders = (try? FileManager.default.contentsOfDirectory(atPath: topologies.path)) ?? []
        return folders.sorted().map {
            topologies.appendingPathComponent($0).appendingPathComponent("control-plane.json")
        }
        .filter { FileManager.default.fileExists(atPath: $0.path) }
    }

    @Test func everyUnitFileUnderTopologiesIsTheOneItsDescriptionGives() throws {
        #expect(Self.descriptions.count >= 5)
        for url in Self.descriptions {
            let folder = url.deletingLastPathComponent().path
            let description = try ControlPlaneDescription.load(path: url.path)
            for (name, json) in try description.unitFiles(file: url.path, descriptionFolder: folder, folder: folder) {
                let written = try? Data(contentsOf: URL(fileURLWithPath: folder).appendingPathComponent("\(name).json"))
                #expect(
                    written == json,
                    "\(folder)/\(name).json is not what control-plane.json gives: run `echelon topologize render \(url.path)`"
                )
            }
        }
    }

    @Test func aLabDescriptionSaysPlainTCPInEveryFile() throws {
        let file = try Self.written(
            Self.replacing(#"{"name": "t", "#, with: #"{"name": "t", "unitChannels": "plaintext", "#))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let files = try ControlPlaneDescription.load(path: file).unitFiles(
            file: file, descriptionFolder: "/tmp", folder: "/tmp")
        for (_, json) in files {
            let unit = try JSONDecoder().decode(UnitConfiguration.self, from: json)
            #expect(unit.units.plaintext && unit.units.tls == nil)
        }
        #expect(
            Self.problem(Self.replacing(#"{"name": "t", "#, with: #"{"name": "t", "unitChannels": "none", "#))
                == #"$.unitChannels: expected "tls" (the default) or "plaintext" (a lab), got "none""#)
    }

    @Test func aPolicyPathStaysRightFromWhereTheFilesGo() {
        let service = JSONValue.object(["service": .string("authenticator"), "policy": .string("policy.json")])
        let moved = ControlPlaneDescription.rebased(service, from: "/a/topologies/x", to: "/a/run/x")
        #expect(moved.objectValue?["policy"] == .string("../../topologies/x/policy.json"))
        let absolute = JSONValue.object(["policy": .string("/etc/policy.json")])
        #expect(ControlPlaneDescription.rebased(absolute, from: "/a", to: "/b") == absolute)
    }

    @Test func whatOnlyTheWholeShowsIsAnErrorAtItsPlace() {
        #expect(Self.problem(Self.valid) == nil)
        #expect(
            Self.problem(Self.replacing(#""upstream": ["top"], "peers": ["b"]"#, with: #""upstream": ["tpo"]"#))?
                .hasPrefix("$.units[1].upstream[0]: no unit is named \"tpo\"") == true)
        #expect(
            Self.problem(Self.replacing(#""upstream": ["top"], "peers": ["a"]"#, with: #""upstream": ["a"]"#))?
                .contains("upstream unit must be above tier 1") == true)
        #expect(
            Self.problem(Self.replacing(#""peers": ["b"]"#, with: #""peers": ["top"]"#))
                == "$.units[1].peers[0]: \"top\" is tier 2: a peer must be of the same tier, 1")
        #expect(
            Self.problem(Self.replacing(#""admin": "127.0.0.1:7612""#, with: #""admin": "127.0.0.1:7611""#))
                == "$.units[2].admin: 127.0.0.1:7611 is also $.units[1].admin")
        #expect(
            Self.problem(Self.replacing(#""unit": "b""#, with: #""unit": "c""#))
                == "$.domains[1].unit: no unit is named \"c\": the domain has no unit")
        #expect(
            Self.problem(Self.replacing(#""unit": "b""#, with: #""unit": "top""#))
                == "$.domains[1].unit: \"top\" is tier 2: switches connect to tier 1")
        #expect(
            Self.problem(Self.replacing(#""switches": [3]"#, with: #""switches": [2]"#))?
                .hasPrefix("$.domains[1].switches[0]: switch") == true)
        #expect(
            Self.problem(Self.replacing(#""uid": 12"#, with: #""uid": 11"#))
                == "$.units[2].uid: 11 is also the UID of units[1]")
        // What a unit's own file checks is reported at the unit.
        #expect(
            Self.problem(Self.replacing(#""switchWindow": 64"#, with: #""switchWindow": 0"#))
                == "$.units[1] (its unit file: $.dispatch.switchWindow): must be 1...65536")
        #expect(
            Self.problem(
                Self.replacing(#""switchWindow": 64"#, with: #""listen": ":1""#).replacingOccurrences(
                    of: #""dispatch""#, with: #""switches""#))
                == "$.units[1].settings.switches.listen: set by the description itself (the unit's addresses and neighbours)"
        )
        #expect(
            Self.problem(Self.replacing(#""name": "t""#, with: #""name": "t", "unit": 1"#))?.contains("unknown field")
                == true)
    }
}
