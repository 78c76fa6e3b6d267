import Foundation
import NIOCore

/// A real `echelon run` process on a free loopback port, stopped (SIGINT) when done.
final class UnitProcess {
    let process = Process()
    let port: Int
    let configPath: String
    private let errorOutput = Pipe()

    static let executable: URL? = {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            Bundle.main.bundleURL.deletingLastPathComponent(),
            Bundle.main.bundleURL,
        ].map { $0.appendingPathComponent("echelon") }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    /// Starts a unit whose configuration is `configuration` with the listen address filled in.
    init(switchSettings: String = "", extraArguments: [String] = []) throws {
        guard let executable = Self.executable else { throw UnitProcessError("the echelon executable was not built next to the tests") }
        port = try Self.freePort()
        configPath = FileManager.default.temporaryDirectory.appendingPathComponent("echelon-unit-\(UUID().uuidString).json").path
        let settings = switchSettings.isEmpty ? "" : ", " + switchSettings
        let json = #"{"name": "integration", "switches": {"listen": "127.0.0.1:\#(port)"\#(settings)}, "services": [{"service": "forwarding"}]}"#
        _ = FileManager.default.createFile(atPath: configPath, contents: Data(json.utf8))
        process.executableURL = executable
        process.arguments = ["run", "--config", configPath, "--log-level", "info"] + extraArguments
        process.standardError = errorOutput
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        try waitUntilListening()
    }

    /// Stops the unit as an operator would and returns its exit status and log.
    func stop() -> (status: Int32, log: String) {
        if process.isRunning { process.interrupt() }
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: configPath)
        let log = String(decoding: errorOutput.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (process.terminationStatus, log)
    }

    private func waitUntilListening() throws {
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            guard process.isRunning else { throw UnitProcessError("the unit exited with status \(process.terminationStatus)") }
            if Self.accepts(port: port) { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw UnitProcessError("the unit did not listen on port \(port) within 20 s")
    }

    static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    /// A port the kernel just handed out, so almost certainly free.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw UnitProcessError("cannot find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

struct UnitProcessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs a command and returns its status and combined output.
func runCommand(_ path: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}
