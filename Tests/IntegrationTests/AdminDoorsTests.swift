import Foundation
import Testing

/// A real unit's admin API under idle connections beyond its cap, a request dripped that never
/// ends and a 1 MB header: it answers the oversized request with an error and closes its
/// socket in full, sheds the idle ones, still answers `GET /status`, and accepts a switch
/// meanwhile.
@Suite struct AdminDoorsTests {
    @Test func idleAndOversizedAdminConnectionsDoNotLockTheUnitOut() throws {
        let (switchPort, unitPort, adminPort) = try UnitTopologyTests.ports()
        let unit = try UnitProcess(
            configuration: """
                {"name": "doors", "switches": {"listen": "127.0.0.1:\(switchPort)"},
                 "units": {"plaintext": true, "listen": "127.0.0.1:\(unitPort)"},
                 "admin": {"listen": "127.0.0.1:\(adminPort)", "maxConnections": 4, "idleTimeout": 1},
                 "services": [{"service": "forwarding"}]}
                """, switchPort: switchPort)
        // The admin API starts after the switch port.
        let started = Date()
        while !UnitProcess.accepts(port: adminPort), Date().timeIntervalSince(started) < 10 {
            Thread.sleep(forTimeInterval: 0.05)
        }

        // A header of 1 MB, sent from another thread since the unit answers before it is all sent.
        let oversized = try RawHTTPConnection(port: adminPort)
        let header = "GET /status HTTP/1.1\r\nHost: unit\r\nX-Padding: " + String(repeating: "a", count: 1 << 20)
        let sender = Thread { oversized.send(Array((header + "\r\n\r\n").utf8)) }
        sender.start()
        let refusal = oversized.readUntilClosed(timeout: 10)
        #expect(refusal.hasPrefix("HTTP/1.1 400"), "answer to a 1 MB header: \(refusal.prefix(200))")
        #expect(oversized.peerClosedItsSide)
        // Not left half-open: once the unit has closed the socket, what is sent to it is refused.
        #expect(oversized.refusesWritesSoon(timeout: 10), "the unit left the socket open after its answer")

        // More idle connections than the cap, and requests that never end.
        let idle = try (0..<10).map { _ in try RawHTTPConnection(port: adminPort) }
        let dripped = try (0..<2).map { _ in try RawHTTPConnection(port: adminPort) }
        for connection in dripped { connection.send(Array("GET /sta".utf8)) }

        // Switches are served meanwhile.
        let raw = try RawSwitch(port: switchPort)
        #expect(raw.handshake(dpid: 7))

        let status = try RawHTTPConnection(port: adminPort)
        status.send(Array("GET /status HTTP/1.1\r\nHost: unit\r\nConnection: close\r\n\r\n".utf8))
        let answer = status.readUntilClosed(timeout: 30)
        #expect(answer.hasPrefix("HTTP/1.1 200"), "GET /status while the cap was full: \(answer.prefix(300))")
        #expect(answer.contains(#""name":"doors""#) && answer.contains(#""switches":1"#), "\(answer)")

        // The idle and dripping connections were closed by the unit, none of them answered.
        for connection in idle + dripped {
            #expect(connection.readUntilClosed(timeout: 10).isEmpty)
            #expect(connection.peerClosedItsSide)
        }
        let (exitStatus, log) = unit.stop()
        #expect(exitStatus == 0)
        #expect(log.contains("admin API: 4 connections open, its limit"), "\(log)")
    }
}

/// One client connection to an admin API over a blocking socket, for saying exactly what a
/// test needs, however malformed.
final class RawHTTPConnection: @unchecked Sendable {
    private let fd: Int32
    private(set) var peerClosedItsSide = false

    init(port: Int) throws {
        guard let fd = LoopbackSocket.connect(port: port) else {
            throw UnitProcessError("cannot connect to port \(port)")
        }
        self.fd = fd
    }

    deinit { close(fd) }

    /// Sends all of `bytes`, or as much as the peer takes before it closes.
    func send(_ bytes: [UInt8]) {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { return }
            sent += count
        }
    }

    /// Everything received until the peer closes its side or `timeout` passes.
    func readUntilClosed(timeout: Double) -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var received: [UInt8] = []
        while !peerClosedItsSide {
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { break }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, Int32(remaining * 1000)) > 0 else { break }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = recv(fd, &chunk, chunk.count, 0)
            if count <= 0 {
                peerClosedItsSide = true
            } else {
                received += chunk[0..<count]
            }
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// Whether, within `timeout`, a byte sent is refused: the peer no longer has the socket
    /// (a half-closed peer would still take it).
    func refusesWritesSoon(timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let count = [UInt8(0x0a)].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, 1, Int32(MSG_NOSIGNAL)) }
            if count < 0 { return true }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return false
    }
}
