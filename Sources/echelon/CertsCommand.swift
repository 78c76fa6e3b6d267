import ArgumentParser
import Foundation
import Runtime
import UnitProtocol

/// `echelon certs`: a control plane's certificate authority and its units' certificates, for
/// mutual TLS on unit channels (`units.tls` in a unit's file).
struct CertsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "certs",
        abstract: "Create a control plane's CA and issue its units' certificates (mutual TLS between units).",
        subcommands: [Init.self, Issue.self, IssueSwitch.self]
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

        func validate() throws {
            guard uid > 0 else { throw ValidationError("a UID is a number from 1") }
            guard days > 0 else { throw ValidationError("--days must be positive") }
        }

        func run() throws {
            let authority = CertificateAuthorityFolder(path: folder.dir)
            let files = try authority.issue(uid: UnitID(uid), name: name ?? "unit-\(uid)", days: days)
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

        func run() throws {
            let authority = CertificateAuthorityFolder(path: folder.dir)
            let files = try authority.issueSwitch(name: name, days: days)
            print("created \(files.certificate) and \(files.key); on the switch:")
            print("ovs-vsctl set-ssl \(files.key) \(files.certificate) \(files.ca)")
        }
    }
}
