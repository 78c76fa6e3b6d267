import Crypto
import Foundation
import OpenFlow
import SwiftASN1
import UnitProtocol
import X509

/// The certificates of one control plane: its own certificate authority, and for each unit a
/// certificate that names the unit's UID, signed by that authority. Units prove who they are to
/// each other with them (mutual TLS on unit channels). Keys are ECDSA P-256.
public enum UnitCertificates {
    /// How a certificate names a unit: a URI subject alternative name, so that a certificate
    /// says which UID its holder may claim and nothing else (no host name to match).
    public static func uri(for uid: UnitID) -> String { unitPrefix + "\(uid.rawValue)" }

    /// How a certificate names an admin client (an operator, a script): a URI subject
    /// alternative name, so that no unit's or switch's certificate can pass for one.
    public static func uri(forAdmin name: String) -> String { adminPrefix + name }

    /// How a switch's certificate names a DPID its holder may claim: a URI subject alternative
    /// name with the DPID's sixteen hex digits. One certificate may name several (Open vSwitch
    /// has one certificate for all its bridges), or none (any DPID).
    public static func uri(forSwitch datapathID: DatapathID) -> String { switchPrefix + "\(datapathID)" }

    private static let unitPrefix = "urn:echelon:unit:"
    private static let adminPrefix = "urn:echelon:admin:"
    private static let switchPrefix = "urn:echelon:switch:"

    /// The DPIDs a switch's certificate names, and whether any of its DPID names is not one
    /// (such a certificate proves no DPID). An empty list: it restricts none.
    public static func datapathIDs(namedBy certificate: Certificate) -> (ids: [DatapathID], malformed: Bool) {
        let texts = names(withPrefix: switchPrefix, in: certificate)
        let ids = texts.compactMap { DatapathID(sixteenHexDigits: $0) }
        return (ids, ids.count != texts.count)
    }

    /// The UID a certificate names, if it names exactly one.
    public static func uid(namedBy certificate: Certificate) -> UnitID? {
        guard let text = onlyName(withPrefix: unitPrefix, in: certificate), let uid = UInt32(text), uid > 0 else {
            return nil
        }
        return UnitID(uid)
    }

    /// The admin client a certificate names, if it names exactly one.
    public static func adminName(namedBy certificate: Certificate) -> String? {
        onlyName(withPrefix: adminPrefix, in: certificate).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// What follows `prefix` in the certificate's one URI name that starts with it; nil when
    /// none or several do (a certificate that names two units proves neither).
    private static func onlyName(withPrefix prefix: String, in certificate: Certificate) -> String? {
        let matching = names(withPrefix: prefix, in: certificate)
        return matching.count == 1 ? matching.first : nil
    }

    /// What follows `prefix` in each of the certificate's URI names that start with it.
    private static func names(withPrefix prefix: String, in certificate: Certificate) -> [String] {
        guard let names = try? certificate.extensions.subjectAlternativeNames else { return [] }
        return names.compactMap { name -> String? in
            guard case .uniformResourceIdentifier(let uri) = name, uri.hasPrefix(prefix) else { return nil }
            return String(uri.dropFirst(prefix.count))
        }
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
        case unit(UnitID, hosts: [String] = [])
        /// A switch, which only ever dials (an Open vSwitch `ssl:` controller target), with the
        /// DPIDs it may claim (none: any).
        case networkSwitch(datapathIDs: [DatapathID] = [])
        /// A client of the admin API, named: it only ever dials.
        case admin(String)
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
            case .unit(let uid, let hosts):
                try ExtendedKeyUsage([.serverAuth, .clientAuth])
                SubjectAlternativeNames([.uniformResourceIdentifier(uri(for: uid))] + hosts.map(hostName))
            case .networkSwitch(let datapathIDs):
                try ExtendedKeyUsage([.clientAuth])
                if !datapathIDs.isEmpty {
                    SubjectAlternativeNames(datapathIDs.map { .uniformResourceIdentifier(uri(forSwitch: $0)) })
                }
            case .admin(let name):
                try ExtendedKeyUsage([.clientAuth])
                SubjectAlternativeNames([.uniformResourceIdentifier(uri(forAdmin: name))])
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

    /// A host name or address as a certificate names it, for clients that check the name of
    /// the host they reached (curl, browsers on the admin API); unit channels do not.
    public static func hostName(_ host: String) -> GeneralName {
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            return .ipAddress(ASN1OctetString(contentBytes: withUnsafeBytes(of: &v4) { ArraySlice($0) }))
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 {
            return .ipAddress(ASN1OctetString(contentBytes: withUnsafeBytes(of: &v6) { ArraySlice($0) }))
        }
        return .dnsName(host)
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
