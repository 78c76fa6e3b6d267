import Foundation
import UnitProtocol
import X509

/// Decides whether a certificate the other end of a channel presents is good: it must chain to
/// the control plane's CA and be valid now; a unit's must also name exactly one unit, whose UID
/// it proves. It replaces BoringSSL's own check on unit and switch channels so that a refusal
/// says why (expired, another CA, no UID) instead of "certificate verify failed".
public struct UnitCertificateVerifier: Sendable {
    public let authority: Certificate

    public init(authority: Certificate) {
        self.authority = authority
    }

    /// The UID the presented chain (leaf first, as DER) proves, or why it proves none.
    public func verify(chain: [[UInt8]], now: Date = Date()) async -> Result<UnitID, UnitCertificateRefusal> {
        await verifiedLeaf(chain: chain, now: now).flatMap { leaf in
            UnitCertificates.uid(namedBy: leaf).map { .success($0) }
                ?? .failure(
                    UnitCertificateRefusal(
                        "its certificate (\(leaf.subject)) names no unit (one urn:echelon:unit:UID name)"))
        }
    }

    /// The admin client the presented chain proves, or why it proves none: a unit's or a
    /// switch's certificate, though it chains to the CA, is not an admin's.
    public func verifyAdmin(chain: [[UInt8]], now: Date = Date()) async -> Result<String, UnitCertificateRefusal> {
        await verifiedLeaf(chain: chain, now: now).flatMap { leaf in
            UnitCertificates.adminName(namedBy: leaf).map { .success($0) }
                ?? .failure(
                    UnitCertificateRefusal(
                        "its certificate (\(leaf.subject)) names no admin client (one urn:echelon:admin:NAME name, from `echelon certs issue-admin NAME`)"
                    ))
        }
    }

    /// The presented chain's leaf, if it is valid now and chains to the CA; or why not.
    public func verifiedLeaf(chain: [[UInt8]], now: Date = Date()) async -> Result<Certificate, UnitCertificateRefusal>
    {
        guard let leafBytes = chain.first else {
            return .failure(UnitCertificateRefusal("it presented no certificate"))
        }
        let leaf: Certificate
        do {
            leaf = try Certificate(derEncoded: leafBytes)
        } catch {
            return .failure(UnitCertificateRefusal("its certificate does not parse: \(error)"))
        }
        let named = "its certificate (\(leaf.subject))"
        if leaf.notValidAfter < now {
            return .failure(UnitCertificateRefusal("\(named) expired on \(Self.day(leaf.notValidAfter))"))
        }
        if leaf.notValidBefore > now {
            return .failure(UnitCertificateRefusal("\(named) is not valid until \(Self.day(leaf.notValidBefore))"))
        }
        if authority.notValidAfter < now {
            return .failure(
                UnitCertificateRefusal(
                    "this control plane's CA (\(authority.subject)) expired on \(Self.day(authority.notValidAfter))"))
        }
        let intermediates = chain.dropFirst().compactMap { try? Certificate(derEncoded: $0) }
        var verifier = Verifier(rootCertificates: CertificateStore([authority])) { RFC5280Policy() }
        guard
            case .validCertificate = await verifier.validate(leaf: leaf, intermediates: CertificateStore(intermediates))
        else {
            return .failure(
                UnitCertificateRefusal(
                    "\(named), issued by \(leaf.issuer), does not chain to this control plane's CA (\(authority.subject))"
                ))
        }
        return .success(leaf)
    }

    private static func day(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}

/// Why a unit's certificate proves nothing, in words for the log line that refuses it.
public struct UnitCertificateRefusal: Error, Hashable, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }
}
