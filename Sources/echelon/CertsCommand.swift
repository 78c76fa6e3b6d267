import ArgumentParser
import Foundation
import OpenFlow
import Runtime
import UnitProtocol

/// `echelon certs`: a control plane's certificate authority and the certificates it issues: its
/// units' (mutual TLS on unit channels, `units.tls`), its switches' (`switches.tls`), and its
/// admin clients' (`admin.tls`).
struct CertsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "certs",
        abstract: "Create a control plane's CA and issue certificates for its units, switches and admin clients.",
        subcommands: [Init.self, Issue.self, IssueSwitch.self, IssueAdmin.self]
    )

    struct Folder: ParsableArguments {
        @Option(help: "The folder of the control plane's CA and certificates.")
        var dir = "pki"
    }

    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create the CA (ca.pem, and ca-key.pem readable by its owner only).")

        @OptionGroup var folder: Folder

        @Option(help: "The CA's name.")
        var name = "Echelon CA"

        @Option(help: "Days the CA is valid.")
        var days = 3650

        func run() throws {
            let authority = CertificateAuthorityFolder(path: folder.dir)
            try authority.create(name: name, days: days)
            print("created \(authority.certificatePath) and \(authority.keyPath)")
        }
    }

    struct Issue: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue a unit's certificate, naming its UID, and its key, signed by the CA.")

        @Argument(help: "The unit's UID, as in its configuration file.")
        var uid: UInt32

        @OptionGroup var folder: Folder

        @Option(help: "The name in the certificate's subject (default: unit-UID).")
        var name: String?

        @Option(help: "Days the certificate is valid.")
        var days = 825

        @Option(
            name: .customLong("host"),
            help:
                "A host name or address the unit's admin API is reached at, named in the certificate for clients that check it (curl, a browser); repeatable."
        )
        var hosts: [String] = []

        func validate() throws {
            guard uid > 0 else { throw ValidationError("a UID is a number from 1") }
            guard days > 0 else { throw ValidationError("--days must be positive") }
            for host in hosts where host.isEmpty || host.contains(where: { $0.isWhitespace || $0 == "/" }) {
                throw ValidationError("--host takes a host name or an address, got \"\(host)\"")
            }
        }

        func run() throws {
            let authority = CertificateAuthorityFolder(path: folder.dir)
            let files = try authority.issue(uid: UnitID(uid), name: name ?? "unit-\(uid)", hosts: hosts, days: days)
            print("created \(files.certificate) and \(files.key); in unit \(uid)'s file:")
            print(
                #""units": {"tls": {"certificate": "\#(files.certificate)", "key": "\#(files.key)", "ca": "\#(files.ca)"}, ...}"#
            )
        }
    }

    struct IssueSwitch: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "issue-switch",
            abstract: "Issue a switch's certificate and key, signed by the CA (for switches.tls and ovs-vsctl set-ssl)."
        )

        @Argument(help: "A name for the switch (letters, digits, - and _), used in the file names.")
        var name: String

        @OptionGroup var folder: Folder

        @Option(help: "Days the certificate is valid.")
        var days = 825

        @Option(
            name: .customLong("dpid"),
            help:
                "A DPID the switch may claim (16 hex digits as ovs-ofctl prints them, 0x..., or 00:00:...); repeatable, one per bridge that presents this certificate. None: any DPID."
        )
        var datapathIDs: [String] = []

        /// The DPIDs as given; a bare number is read as Open vSwitch prints DPIDs, in hex.
        func parsedDatapathIDs() throws -> [DatapathID] {
            try datapathIDs.map { text in
                if let datapathID = DatapathID(sixteenHexDigits: text) { return datapathID }
                guard text.hasPrefix("0x") || text.contains(":"), let datapathID = DatapathID(text) else {
                    throw ValidationError(
                        "--dpid takes 16 hex digits, 0x followed by hex digits, or 00:00:00:00:00:00:00:01; got \"\(text)\""
                    )
                }
                return datapathID
            }
        }

        func validate() throws { _ = try parsedDatapathIDs() }

        func run() throws {
            let authority = CertificateAuthorityFolder(path: folder.dir)
            let files = try authority.issueSwitch(name: name, datapathIDs: try parsedDatapathIDs(), days: days)
            print("created \(files.certificate) and \(files.key); on the switch:")
            print("ovs-vsctl set-ssl \(files.key) \(files.certificate) \(files.ca)")
        }
    }

    struct IssueAdmin: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "issue-admin",
            abstract: "Issue an admin client's certificate and key, signed by the CA (for admin APIs with admin.tls)."
        )

        @Argument(help: "The client's name (letters, digits, - and _): in the file names, and in the units' logs.")
        var name: String

        @OptionGroup var folder: Folder

        @Option(help: "Days the certificate is valid.")
        var days = 365

        func run() throws {
            let authority = CertificateAuthorityFolder(path: folder.dir)
            let files = try authority.issueAdmin(name: name, days: days)
            print("created \(files.certificate) and \(files.key); to read a unit whose admin API has admin.tls:")
            print("echelon units --unit HOST:PORT --ca \(files.ca) --cert \(files.certificate) --key \(files.key)")
        }
    }
}
