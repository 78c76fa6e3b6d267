import Foundation
import NIOCore
import TestSupport

/// A real `echelon run` process on a free loopback port, stopped (SIGINT) when done.
final class UnitProcess {
    let process = Process()
    let port: Int
    let configPath: String
    private let log: TemporaryLog

    static let executable: URL? = ChildProcess.builtProduct(named: "echelon").map(URL.init(fileURLWithPath:))

    /// Starts a unit of one tier-1 forwarding unit whose switch port is free.
    convenience init(switchSettings: String = "", extraArguments: [String] = []) throws {
        let port = try Self.freePort()
        let settings = switchSettings.isEmpty ? "" : ", " + switchSettings
        // Unit channels and the admin API on ports the kernel picks, so that tests run side by side.
        let json =
            #"{"name": "integration", "switches": {"listen": "127.0.0.1:\#(port)"\#(settings)}, "units": {"plaintext": true, "listen": "127.0.0.1:0"}, "admin": {"listen": "127.0.0.1:0"}, "services": [{"service": "forwarding"}]}"#
        try self.init(configuration: json, switchPort: port, extraArguments: extraArguments)
    }

    /// Starts a unit with this `topology.json`, and waits until it accepts switches on `switchPort`.
    init(configuration json: String, switchPort: Int, extraArguments: [String] = []) throws {
        guard let executable = Self.executable else {
            throw UnitProcessError("the echelon executable was not built next to the tests")
        }
        port = switchPort
        configPath =
            FileManager.default.temporaryDirectory.appendingPathComponent("echelon-unit-\(UUID().uuidString).json").path
        _ = FileManager.default.createFile(atPath: configPath, contents: Data(json.utf8))
        process.executableURL = executable
        process.arguments = ["run", "--config", configPath, "--log-level", "info"] + extraArguments
        log = try TemporaryLog()
        process.standardError = log.handle
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        try waitUntilListening()
    }

    /// Stops the unit as an operator would (SIGINT) and returns its exit status and log. A unit
    /// that has not exited 10 s later is killed, and its log says so.
    func stop() -> (status: Int32, log: String) {
        if process.isRunning { process.interrupt() }
        let exited = ChildProcess.waitForExit(process, timeout: 10)
        if !exited { ChildProcess.stop(process) }
        try? FileManager.default.removeItem(atPath: configPath)
        let text = log.contents() + (exited ? "" : "\n[test] the unit ignored SIGINT for 10 s and was killed\n")
        return (process.terminationStatus, text)
    }

    /// One forwarding unit named `name` on free loopback ports, once its admin API answers.
    static func withAdminAPI(named name: String) throws -> (unit: UnitProcess, switchPort: Int, adminPort: Int) {
        let (switchPort, unitPort, adminPort) = try UnitTopologyTests.ports()
        let unit = try UnitProcess(
            configuration: """
                {"name": "\(name)", "switches": {"listen": "127.0.0.1:\(switchPort)"},
                 "units": {"plaintext": true, "listen": "127.0.0.1:\(unitPort)"}, "admin": {"listen": "127.0.0.1:\(adminPort)"},
                 "services": [{"service": "forwarding"}]}
                """, switchPort: switchPort)
        let started = Date()
        while !accepts(port: adminPort), Date().timeIntervalSince(started) < 10 {
            Thread.sleep(forTimeInterval: 0.05)
        }
        return (unit, switchPort, adminPort)
    }

    /// Its process id (for a script that freezes it, as a hung unit would be).
    var pid: Int32 { process.processIdentifier }

    /// Ends the process at once, as a crash would: no goodbye on any channel.
    func kill() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { ChildProcess.stop(process) }

    private func waitUntilListening() throws {
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            guard process.isRunning else {
                throw UnitProcessError("the unit exited with status \(process.terminationStatus)")
            }
            if Self.accepts(port: port) { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw UnitProcessError("the unit did not listen on port \(port) within 20 s")
    }

    static func accepts(port: Int) -> Bool {
        guard let fd = LoopbackSocket.connect(port: port) else { return false }
        close(fd)
        return true
    }

    /// A free port below the kernel's ephemeral range (from 32768 on Linux), so that no
    /// outgoing connection of a running unit can take it before the unit under test binds it.
    static func freePort() throws -> Int {
        for _ in 0..<1000 {
            let port = Int.random(in: 20000..<32000)
            lock.lock()
            let fresh = reserved.insert(port).inserted
            lock.unlock()
            guard fresh else { continue }
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(fd) }
            if bindLoopback(fd, port: port) { return port }
        }
        throw UnitProcessError("cannot find a free port")
    }

    /// A socket listening on 127.0.0.1:`port`, for a test that needs the port taken.
    static func listen(on port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard bindLoopback(fd, port: port), Glibc.listen(fd, 8) == 0 else {
            close(fd)
            throw UnitProcessError("cannot listen on 127.0.0.1:\(port)")
        }
        return fd
    }

    private static func bindLoopback(_ fd: Int32, port: Int) -> Bool {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    /// Ports already handed to a test in this run, so that two tests never get the same one.
    nonisolated(unsafe) private static var reserved: Set<Int> = []
    private static let lock = NSLock()
}

struct UnitProcessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs a command and returns its status and combined output; a command that outlives
/// `timeout` is stopped (SIGTERM, with time to take down a network it built, then SIGKILL) and
/// reported as an error.
func runCommand(
    _ path: String, _ arguments: [String], timeout: TimeInterval = 60
) throws -> (status: Int32, output: String) {
    let result = try ChildProcess.run(path, arguments, timeout: timeout, grace: 20)
    if result.timedOut {
        throw UnitProcessError(
            "\(path) \(arguments.joined(separator: " ")) did not finish within \(Int(timeout)) s and was stopped; it printed:\n\(result.output)"
        )
    }
    return (result.status, result.output)
}
