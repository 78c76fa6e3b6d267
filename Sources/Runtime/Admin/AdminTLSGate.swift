import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL

/// HTTPS on the admin API (`admin.tls`), with client certificates: a connection is served only
/// once its client proved, with a certificate from the control plane's CA, that it is an admin
/// client (`echelon certs issue-admin NAME`). Refusals are logged with their reason, at most
/// once a second per reason, since anything that reaches the port can cause them.
struct AdminTLSGate: Sendable {
    let tls: UnitTLS
    private let refusals = NIOLockedValueBox(RejectionLog())

    init(tls: UnitTLS) { self.tls = tls }

    /// The handlers that go first in an admin connection's pipeline.
    func handlers(logger: Logger) -> [any ChannelHandler] {
        let outcome = AdminTLSOutcome(gate: self, logger: logger)
        return [tls.adminHandler(report: outcome.clientVerified), outcome]
    }

    /// Logs `reason`, unless a line for the same reason went out less than a second ago.
    func logRefusal(_ reason: String, logger: Logger) {
        guard let suppressed = refusals.withLockedValue({ $0.shouldLog(reason, now: .now()) }) else { return }
        logger.warning(
            "admin API: refusing connection: \(reason)",
            metadata: suppressed > 0 ? ["refusedSinceLastLine": "\(suppressed)"] : [:])
    }
}

/// Right after the TLS handler: learns how the client's certificate was judged, and logs why a
/// handshake failed, in words (a plain HTTP client, a refused certificate).
final class AdminTLSOutcome: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let gate: AdminTLSGate
    private let logger: Logger
    /// Set when the certificate was refused, so the handshake's own failure is not logged twice.
    private var refused = false

    init(gate: AdminTLSGate, logger: Logger) {
        self.gate = gate
        self.logger = logger
    }

    /// The verifier's judgement of the client's certificate; on the channel's loop.
    func clientVerified(_ result: Result<String, UnitCertificateRefusal>) {
        switch result {
        case .success(let name):
            logger.debug("admin API: client \(name) proved its certificate")
        case .failure(let refusal):
            refused = true
            gate.logRefusal(refusal.description, logger: logger)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let error = error as? NIOSSLError else {
            context.fireErrorCaught(error)
            return
        }
        if !refused {
            gate.logRefusal(
                describeTLSFailure(error, plainHint: "plain HTTP? this admin API speaks HTTPS only"), logger: logger)
        }
        context.close(promise: nil)
    }
}
