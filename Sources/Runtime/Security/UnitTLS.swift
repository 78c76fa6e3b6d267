import ConfigurationFiles
import Foundation
import NIOCore
import NIOSSL
import UnitProtocol
import X509

/// Mutual TLS for one kind of channel, from its `tls` files: the contexts each end's handshake
/// uses, and our check of the other end's certificate (`UnitCertificateVerifier`), whose
/// outcome is reported to the channel's handler before the handshake goes on. Unit channels
/// (`units.tls`) need the other unit's certificate to prove a UID; switch channels
/// (`switches.tls`) need a switch's certificate to chain to the CA given there; the admin API
/// (`admin.tls`) needs a client's certificate to name an admin client.
struct UnitTLS: Sendable {
    private let server: NIOSSLContext
    private let client: NIOSSLContext
    let verifier: UnitCertificateVerifier

    /// Which channels it serves.
    enum Channels {
        case units
        case switches
        case admin

        /// Where the configuration gives its files.
        var setting: String {
            switch self {
            case .units: "units.tls"
            case .switches: "switches.tls"
            case .admin: "admin.tls"
            }
        }

        /// Units are all of this project (TLS 1.3); switches may speak 1.2 (Open vSwitch does
        /// both), and so may the tools an operator reads the admin API with.
        var minimumVersion: TLSVersion { self == .units ? .tlsv13 : .tlsv12 }
    }

    /// Reads and checks the files given for `channels`; a problem is a start-up error that
    /// names the setting and the file.
    init(files: TLSFiles, for channels: Channels) throws(UnitStartupError) {
        let setting = channels.setting
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        let authority: Certificate
        do {
            chain = try Self.read(files.certificate, "\(setting).certificate") {
                let chain = try NIOSSLCertificate.fromPEMFile($0)
                guard !chain.isEmpty else { throw UnitStartupError(description: "no certificate in it") }
                return chain
            }
            key = try Self.read(files.key, "\(setting).key") { try NIOSSLPrivateKey(file: $0, format: .pem) }
            authority = try Self.read(files.ca, "\(setting).ca") {
                try Certificate(
                    pemEncoded: String(decoding: FileManager.default.contents(atPath: $0) ?? Data(), as: UTF8.self))
            }
        } catch let error as UnitStartupError {
            throw error
        } catch {
            throw UnitStartupError(description: "\(setting): \(error)")
        }
        func configured(_ base: TLSConfiguration) -> TLSConfiguration {
            var configuration = base
            configuration.certificateChain = chain.map { .certificate($0) }
            configuration.privateKey = .privateKey(key)
            configuration.minimumTLSVersion = channels.minimumVersion
            // Asks the other end for its certificate and requires one; the custom callback
            // (`verifier`) then decides, with no host name to match.
            configuration.certificateVerification = .noHostnameVerification
            return configuration
        }
        do {
            server = try NIOSSLContext(
                configuration: configured(
                    .makeServerConfiguration(
                        certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))))
            client = try NIOSSLContext(configuration: configured(.makeClientConfiguration()))
        } catch {
            throw UnitStartupError(
                description: "\(setting): the certificate and key do not make a TLS context: \(error)")
        }
        verifier = UnitCertificateVerifier(authority: authority)
    }

    private static func read<T>(_ path: String, _ setting: String, _ load: (String) throws -> T) throws -> T {
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw UnitStartupError(
                description:
                    "\(setting): cannot read \(path) (create it with `echelon certs init` and `echelon certs issue`)")
        }
        do {
            return try load(path)
        } catch {
            throw UnitStartupError(description: "\(setting): \(path) is not a PEM file of the right kind: \(error)")
        }
    }

    /// The TLS handler of an accepted unit channel; `report` runs on the channel's loop with the
    /// other unit's proved UID, or why it proved none, before the handshake continues.
    func acceptingHandler(report: @escaping (Result<UnitID, UnitCertificateRefusal>) -> Void) -> NIOSSLServerHandler {
        NIOSSLServerHandler(
            context: server, customVerificationCallback: verification({ await $0.verify(chain: $1) }, report: report))
    }

    /// The TLS handler of a dialed unit channel; `report` as for `acceptingHandler`.
    func dialingHandler(
        report: @escaping (Result<UnitID, UnitCertificateRefusal>) -> Void
    ) throws -> NIOSSLClientHandler {
        try NIOSSLClientHandler(
            context: client, serverHostname: nil,
            customVerificationCallback: verification({ await $0.verify(chain: $1) }, report: report))
    }

    /// The TLS handler of an accepted switch channel; `report` runs on the channel's loop with
    /// the switch's certificate, or why it is refused, before the handshake continues.
    func switchHandler(report: @escaping (Result<Certificate, UnitCertificateRefusal>) -> Void) -> NIOSSLServerHandler {
        NIOSSLServerHandler(
            context: server,
            customVerificationCallback: verification({ await $0.verifiedLeaf(chain: $1) }, report: report))
    }

    /// The TLS handler of an accepted admin API connection; `report` runs on the channel's loop
    /// with the admin client's name, or why it is refused, before the handshake continues.
    func adminHandler(report: @escaping (Result<String, UnitCertificateRefusal>) -> Void) -> NIOSSLServerHandler {
        NIOSSLServerHandler(
            context: server,
            customVerificationCallback: verification({ await $0.verifyAdmin(chain: $1) }, report: report))
    }

    private func verification<Proof: Sendable>(
        _ check:
            @escaping @Sendable (UnitCertificateVerifier, [[UInt8]]) async -> Result<Proof, UnitCertificateRefusal>,
        report: @escaping (Result<Proof, UnitCertificateRefusal>) -> Void
    ) -> NIOSSLCustomVerificationCallback {
        let verifier = self.verifier
        return { certificates, promise in
            let chain = certificates.compactMap { try? $0.toDERBytes() }
            let outcome = promise.futureResult.eventLoop.makePromise(of: Result<Proof, UnitCertificateRefusal>.self)
            outcome.completeWithTask { await check(verifier, chain) }
            outcome.futureResult.assumeIsolated().whenSuccess { result in
                report(result)
                switch result {
                case .success: promise.succeed(.certificateVerified)
                case .failure: promise.succeed(.failed)
                }
            }
        }
    }
}

/// A failed TLS handshake, in words: the common causes are another end that does not speak
/// TLS (`plainHint` says what that likely is), and a certificate the other end refused (its own
/// log says why). `error` is a `NIOSSLError`, or a `BoringSSLError` for an alert that arrives
/// after a TLS 1.3 client thought the handshake done.
public func describeTLSFailure(_ error: any Error, plainHint: String) -> String {
    let text = "\(error)"
    if text.contains("WRONG_VERSION_NUMBER") || text.contains("HTTP_REQUEST") || text.contains("PACKET_LENGTH_TOO_LONG")
    {
        return "TLS handshake failed: the other end does not speak TLS (\(plainHint))"
    }
    if text.contains("ALERT") {
        return "TLS handshake failed: the other end refused it (\(text)); its log says why"
    }
    if text.contains("PEER_DID_NOT_RETURN_A_CERTIFICATE") {
        return "TLS handshake failed: the other end presented no certificate"
    }
    if case .uncleanShutdown = error as? NIOSSLError {
        return "TLS handshake failed: the other end closed the connection during it"
    }
    return "TLS handshake failed: \(text)"
}
