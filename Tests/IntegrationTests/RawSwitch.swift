import Foundation
import NIOCore
import OpenFlow

/// A hand-driven OpenFlow "switch" over a blocking socket, for saying exactly what a test
/// needs a switch to say, garbage included.
final class RawSwitch {
    private let fd: Int32
    private var pending = ByteBuffer()
    /// The rest of a message the socket took only part of: sent before anything else, so
    /// that the stream never holds half a message followed by another.
    private var unsent: [UInt8] = []
    private(set) var closedByPeer = false

    init(port: Int) throws {
        guard let fd = LoopbackSocket.connect(port: port) else {
            throw UnitProcessError("cannot connect to port \(port)")
        }
        self.fd = fd
    }

    deinit { close(fd) }

    func send(_ message: OpenFlowMessage) { sendBytes(Array(message.encoded().readableBytesView)) }

    func sendBytes(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Sends without waiting: false when the socket takes nothing now (the controller is not
    /// reading), as a switch drops what it cannot send. A message the socket takes only part
    /// of is finished by the next calls, which send nothing new until it is.
    func trySendBytes(_ bytes: [UInt8]) -> Bool {
        if !unsent.isEmpty {
            let sent = unsent.withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
            }
            if sent > 0 { unsent.removeFirst(sent) }
            guard unsent.isEmpty else { return false }
        }
        let sent = bytes.withUnsafeBytes {
            Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
        }
        guard sent > 0 else { return false }
        if sent < bytes.count { unsent = Array(bytes[sent...]) }
        return true
    }

    /// Every whole message that has arrived, as frames, without waiting.
    func drainFrames() -> [ByteBuffer] {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(fd, &chunk, chunk.count, Int32(MSG_DONTWAIT))
            if count == 0 { closedByPeer = true }
            guard count > 0 else { break }
            pending.writeBytes(chunk[0..<count])
        }
        var frames: [ByteBuffer] = []
        while let frame = try? OpenFlowFrameDecoder.nextFrame(from: &pending, maximumLength: 65535) {
            frames.append(frame)
        }
        return frames
    }

    /// The next message, or nil if none arrives within `timeout` or the peer closed.
    func receive(timeout: Double = 5) -> OpenFlowMessage? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if var frame = try? OpenFlowFrameDecoder.nextFrame(from: &pending, maximumLength: 65535) {
                return try? OpenFlowMessage(parsing: &frame)
            }
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0, !closedByPeer else { return nil }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, Int32(remaining * 1000)) > 0 else { return nil }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = recv(fd, &chunk, chunk.count, 0)
            if count <= 0 {
                closedByPeer = true
                continue
            }
            pending.writeBytes(chunk[0..<count])
        }
    }

    /// Waits for a message of `type`, skipping others (LLDP probes, for instance).
    func receive(_ type: MessageType, timeout: Double = 5) -> OpenFlowMessage? {
        let deadline = Date().addingTimeInterval(timeout)
        while deadline.timeIntervalSinceNow > 0 {
            guard let message = receive(timeout: deadline.timeIntervalSinceNow) else { return nil }
            if message.type == type { return message }
        }
        return nil
    }

    /// Waits until the peer closes the connection.
    func waitForClose(timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while !closedByPeer && deadline.timeIntervalSinceNow > 0 { _ = receive(timeout: deadline.timeIntervalSinceNow) }
        return closedByPeer
    }

    /// Completes the handshake as switch `dpid` with two ports.
    func handshake(dpid: UInt64) -> Bool {
        guard receive(.hello) != nil else { return false }
        send(OpenFlowMessage(xid: 1, .hello(Hello())))
        guard let request = receive(.featuresRequest) else { return false }
        send(
            OpenFlowMessage(
                xid: request.xid,
                .featuresReply(
                    FeaturesReply(
                        datapathID: DatapathID(dpid),
                        ports: [1, 2].map {
                            PhysicalPort(
                                portNumber: PortNumber($0),
                                hardwareAddress: MACAddress(rawValue: dpid << 8 | UInt64($0)), name: "eth\($0)")
                        }))))
        return receive(.setConfig) != nil
    }
}
