import Crypto
import Foundation
import UnitProtocol
import X509

/// The certificates of one control plane: its own certificate authority, and for each unit a
/// certificate that names the unit's UID, signed by that authority. Units prove who they are to
/// each other with them (mutual TLS on unit channels). Keys are ECDSA P-256.
public enum UnitCertificates {
    /// How a certificate names a unit: a URI subject alternative name, so that a certificate
    /// says which UID its holder may claim and nothing else (no host name to match).
    public static func uri(for uid: UnitID) -> String { "urn:echelon:unit:\(uid.rawValue)" }

    /// The UID a certificate names, if it names exactly one.
    public static func uid(namedBy certificate: Certificate) -> UnitID? {
        guard let names = try? certificate.extensions.subjectAlternativeNames else { return nil }
        let prefix = "urn:echelon:unit:"
        let uids = names.compactMap { name -> UInt32? in
            guard case .uniformResourceIdentifier(let uri) = name, uri.hasPrefix(prefix) else { return nil }
            return UInt32(uri.dropFirst(prefix.count))
        }
        guard uids.count == 1, let uid = uids.first, uid > 0 else { return nil }
        return UnitID(uid)
    }

    /// A new authority: a self-signed CA certificate and its key.
    public static func makeAuthority(
        name: String, now: Date, days: Int
    ) throws -> (certificate: Certificate, key: P256.Signing.PrivateKey) {
        let (key, publicKey, subject) = try newHolder(name: name)
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
            Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            SubjectKeyIdentifier(hash: publicKey)
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
            notValidBefore: now.addingTimeInterval(-300), notValidAfter: now.addingTimeInterval(Double(days) * 86_400),
            issuer: subject, subject: subject, extensions: extensions,
            issuerPrivateKey: Certificate.PrivateKey(key))
        return (certificate, key)
    }

    /// Who a certificate is for.
    public enum Holder: Hashable, Sendable {
        /// A unit: named by its UID, and serving both ends of a channel (the unit that dials
        /// and the one that accepts), and the switch side too.
        case unit(UnitID)
        /// A switch, which only ever dials (an Open vSwitch `ssl:` controller target).
        case networkSwitch
    }

    /// A certificate and key for `holder`, signed by `authority`.
    public static func issue(
        for holder: Holder, name: String, authority: Certificate, authorityKey: P256.Signing.PrivateKey, now: Date,
        days: Int, notValidBefore: Date? = nil
    ) throws -> (certificate: Certificate, key: P256.Signing.PrivateKey) {
        let (key, publicKey, subject) = try newHolder(name: name)
        let authorityKeyID = try authority.extensions.subjectKeyIdentifier?.keyIdentifier
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.notCertificateAuthority)
            Critical(KeyUsage(digitalSignature: true))
            switch holder {
            case .unit(let uid):
                try ExtendedKeyUsage([.serverAuth, .clientAuth])
                SubjectAlternativeNames([.uniformResourceIdentifier(uri(for: uid))])
            case .networkSwitch:
                try ExtendedKeyUsage([.clientAuth])
            }
            SubjectKeyIdentifier(hash: publicKey)
            if let authorityKeyID {
                AuthorityKeyIdentifier(keyIdentifier: authorityKeyID)
            }
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
            notValidBefore: notValidBefore ?? now.addingTimeInterval(-300),
            notValidAfter: now.addingTimeInterval(Double(days) * 86_400),
            issuer: authority.subject, subject: subject, extensions: extensions,
            issuerPrivateKey: Certificate.PrivateKey(authorityKey))
        return (certificate, key)
    }

    /// A new key, and the subject a certificate for it names: the control plane's, with `name`.
    private static func newHolder(
        name: String
    ) throws -> (P256.Signing.PrivateKey, Certificate.PublicKey, DistinguishedName) {
        let key = P256.Signing.PrivateKey()
        let subject = try DistinguishedName {
            OrganizationName("Echelon control plane")
            CommonName(name)
        }
        return (key, Certificate.PublicKey(key.publicKey), subject)
    }
}
