import Foundation
import NIOCore
import NIOSSL
import UnitProtocol
import X509

/// Mutual TLS for unit channels, from a unit's `units.tls` files: the context each end's
/// handshake uses, and the check of the other unit's certificate (`UnitCertificateVerifier`),
/// whose outcome is reported to the channel's handler before the handshake goes on.
struct UnitTLS: Sendable {
    private let server: NIOSSLContext
    private let client: NIOSSLContext
    let verifier: UnitCertificateVerifier

    /// Reads and checks the files; a problem is a start-up error that names the file.
    init(files: TLSFiles) throws(UnitStartupError) {
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        let authority: Certificate
        do {
            chain = try Self.read(files.certificate, "units.tls.certificate") {
                let chain = try NIOSSLCertificate.fromPEMFile($0)
                guard !chain.isEmpty else { throw UnitStartupError(description: "no certificate in it") }
                return chain
            }
            key = try Self.read(files.key, "units.tls.key") { try NIOSSLPrivateKey(file: $0, format: .pem) }
            authority = try Self.read(files.ca, "units.tls.ca") {
                try Certificate(
                    pemEncoded: String(decoding: FileManager.default.contents(atPath: $0) ?? Data(), as: UTF8.self))
            }
        } catch let error as UnitStartupError {
            throw error
        } catch {
            throw UnitStartupError(description: "units.tls: \(error)")
        }
        func configured(_ base: TLSConfiguration) -> TLSConfiguration {
            var configuration = base
            configuration.certificateChain = chain.map { .certificate($0) }
            configuration.privateKey = .privateKey(key)
            // Both ends are units of this project: no older protocol to allow for.
            configuration.minimumTLSVersion = .tlsv13
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
                description: "units.tls: the certificate and key do not make a TLS context: \(error)")
        }
        verifier = UnitCertificateVerifier(authority: authority)
    }

    private static func read<T>(_ path: String, _ setting: String, _ load: (String) throws -> T) throws -> T {
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw UnitStartupError(
                description:
                    "\(setting): cannot read \(path) (create it with `echelon certs init` and `echelon certs issue UID`)"
            )
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
        NIOSSLServerHandler(context: server, customVerificationCallback: verification(report: report))
    }

    /// The TLS handler of a dialed unit channel; `report` as for `acceptingHandler`.
    func dialingHandler(
        report: @escaping (Result<UnitID, UnitCertificateRefusal>) -> Void
    ) throws -> NIOSSLClientHandler {
        try NIOSSLClientHandler(
            context: client, serverHostname: nil, customVerificationCallback: verification(report: report))
    }

    private func verification(
        report: @escaping (Result<UnitID, UnitCertificateRefusal>) -> Void
    ) -> NIOSSLCustomVerificationCallback {
        let verifier = self.verifier
        return { certificates, promise in
            let chain = certificates.compactMap { try? $0.toDERBytes() }
            let outcome = promise.futureResult.eventLoop.makePromise(of: Result<UnitID, UnitCertificateRefusal>.self)
            outcome.completeWithTask { await verifier.verify(chain: chain) }
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
