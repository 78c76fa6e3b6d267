import ConfigurationFiles
import Crypto
import Foundation
import OpenFlow
import UnitProtocol
import X509

/// A control plane's certificate authority kept in a folder: `ca.pem` and `ca-key.pem`; for
/// each unit `unit-UID.pem` and `unit-UID-key.pem`; for each switch given one
/// `switch-NAME.pem` and `switch-NAME-key.pem`; for each admin client `admin-NAME.pem` and
/// `admin-NAME-key.pem`. Keys are written readable by their owner only. Nothing is
/// overwritten: a CA or a unit's certificate is made once.
public struct CertificateAuthorityFolder: Sendable {
    /// The folder, as an absolute path (its files are named in unit files and in what
    /// `echelon certs` prints, which are read from other folders).
    public let path: String

    public init(path: String) {
        self.path = URL(fileURLWithPath: path).standardizedFileURL.path
    }

    public var certificatePath: String { TLSFiles.authority(in: path) }
    public var keyPath: String { "\(path)/ca-key.pem" }

    public func unitFiles(_ uid: UnitID) -> TLSFiles { TLSFiles.unit(uid.rawValue, in: path) }

    public func switchFiles(_ name: String) -> TLSFiles { TLSFiles.networkSwitch(name, in: path) }

    public func adminFiles(_ name: String) -> TLSFiles { TLSFiles.adminClient(name, in: path) }

    public var exists: Bool { FileManager.default.fileExists(atPath: certificatePath) }

    /// Makes the authority; refuses if the folder has one.
    public func create(name: String, days: Int, now: Date = Date()) throws(CertificateFolderError) {
        guard !exists else {
            throw CertificateFolderError("\(certificatePath) exists already: one CA per control plane")
        }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            let (certificate, key) = try UnitCertificates.makeAuthority(name: name, now: now, days: days)
            try write(key.pemRepresentation, to: keyPath, secret: true)
            try write(certificate.serializeAsPEM().pemString, to: certificatePath, secret: false)
        } catch let error as CertificateFolderError {
            throw error
        } catch {
            throw CertificateFolderError("cannot create the CA in \(path): \(error)")
        }
    }

    /// Issues a unit's certificate and key; refuses if the unit has them already. `hosts` are
    /// the names and addresses its admin API is reached at, for clients that check them.
    /// `notValidBefore` backdates it (tests make expired certificates with it).
    @discardableResult
    public func issue(
        uid: UnitID, name: String, hosts: [String] = [], days: Int, now: Date = Date(), notValidBefore: Date? = nil
    ) throws(CertificateFolderError) -> TLSFiles {
        try issue(
            .unit(uid, hosts: hosts), name: name, files: unitFiles(uid), days: days, now: now,
            notValidBefore: notValidBefore)
    }

    /// Issues a switch's certificate and key (for Open vSwitch's `ovs-vsctl set-ssl`); refuses
    /// if the switch has them already. `name` is a file-name-safe word; `datapathIDs` are the
    /// DPIDs the certificate lets its holder claim (none: any).
    @discardableResult
    public func issueSwitch(
        name: String, datapathIDs: [DatapathID] = [], days: Int, now: Date = Date()
    ) throws(CertificateFolderError) -> TLSFiles {
        try Self.requireFileNameWord(name, "a switch's name")
        return try issue(
            .networkSwitch(datapathIDs: datapathIDs), name: name, files: switchFiles(name), days: days, now: now,
            notValidBefore: nil)
    }

    /// Issues an admin client's certificate and key (for an admin API with `tls`); refuses if
    /// the client has them already. `name` is a file-name-safe word, and the name the unit logs.
    @discardableResult
    public func issueAdmin(name: String, days: Int, now: Date = Date()) throws(CertificateFolderError) -> TLSFiles {
        try Self.requireFileNameWord(name, "an admin client's name")
        return try issue(.admin(name), name: name, files: adminFiles(name), days: days, now: now, notValidBefore: nil)
    }

    private static func requireFileNameWord(_ name: String, _ what: String) throws(CertificateFolderError) {
        guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        else {
            throw CertificateFolderError("\(what) is letters, digits, - and _ only, got \"\(name)\"")
        }
    }

    private func issue(
        _ holder: UnitCertificates.Holder, name: String, files: TLSFiles, days: Int, now: Date, notValidBefore: Date?
    ) throws(CertificateFolderError) -> TLSFiles {
        guard !FileManager.default.fileExists(atPath: files.certificate) else {
            throw CertificateFolderError("\(files.certificate) exists already")
        }
        do {
            let (authority, authorityKey) = try loadAuthority()
            let (certificate, key) = try UnitCertificates.issue(
                for: holder, name: name, authority: authority, authorityKey: authorityKey, now: now, days: days,
                notValidBefore: notValidBefore)
            try write(key.pemRepresentation, to: files.key, secret: true)
            try write(certificate.serializeAsPEM().pemString, to: files.certificate, secret: false)
        } catch let error as CertificateFolderError {
            throw error
        } catch {
            throw CertificateFolderError("cannot issue a certificate for \(name) in \(path): \(error)")
        }
        return files
    }

    private func loadAuthority() throws -> (Certificate, P256.Signing.PrivateKey) {
        guard let certificate = FileManager.default.contents(atPath: certificatePath),
            let key = FileManager.default.contents(atPath: keyPath)
        else {
            throw CertificateFolderError("no CA in \(path): create it with `echelon certs init --dir \(path)`")
        }
        return (
            try Certificate(pemEncoded: String(decoding: certificate, as: UTF8.self)),
            try P256.Signing.PrivateKey(pemRepresentation: String(decoding: key, as: UTF8.self))
        )
    }

    private func write(_ text: String, to path: String, secret: Bool) throws {
        let attributes: [FileAttributeKey: Any]? = secret ? [.posixPermissions: 0o600] : nil
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: attributes) else {
            throw CertificateFolderError("cannot write \(path)")
        }
    }
}

/// Why a certificate folder operation failed, in one line.
public struct CertificateFolderError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }
}
