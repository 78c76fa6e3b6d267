import Foundation

/// What a finished (or stopped) child process left behind.
public struct ChildProcessResult: Sendable {
    public let status: Int32
    public let output: String
    /// The process outlived its time limit and was killed; `status` is then the signal's.
    public let timedOut: Bool
}

/// Runs programs from tests without ever hanging the test run.
///
/// Output goes to a temporary file, never a pipe: a pipe reaches end-of-file only when every
/// process holding its write end is gone, and daemons started below a test (Open vSwitch,
/// Mininet's helpers) may keep one open for ever. Each run has a time limit, after which the
/// process we started, and only that one, is terminated and, `grace` seconds later, killed (a
/// script that builds a Mininet network needs those seconds to take it down again).
public enum ChildProcess {
    public static func run(
        _ executable: String, _ arguments: [String], input: String? = nil, timeout: TimeInterval = 60,
        grace: TimeInterval = 2
    ) throws -> ChildProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let log = try TemporaryLog()
        process.standardOutput = log.handle
        process.standardError = log.handle
        let stdin = Pipe()
        process.standardInput = input == nil ? FileHandle.nullDevice : stdin
        try process.run()
        if let input {
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try? stdin.fileHandleForWriting.close()
        }
        let timedOut = !waitForExit(process, timeout: timeout)
        if timedOut { stop(process, grace: grace) }
        return ChildProcessResult(status: process.terminationStatus, output: log.contents(), timedOut: timedOut)
    }

    /// Waits up to `timeout`; true when the process exited.
    public static func waitForExit(_ process: Process, timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        return !process.isRunning
    }

    /// SIGTERM, then SIGKILL after `grace` seconds; returns once the process has exited.
    public static func stop(_ process: Process, grace: TimeInterval = 2) {
        guard process.isRunning else { return }
        process.terminate()
        if !waitForExit(process, timeout: grace) { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// The path of an executable product that SwiftPM built next to the test bundle.
    public static func builtProduct(named name: String) -> String? {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            Bundle.main.bundleURL.deletingLastPathComponent(),
            Bundle.main.bundleURL,
        ].map { $0.appendingPathComponent(name).path }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

/// A temporary file that collects a child's output and is removed when no longer referenced.
public final class TemporaryLog {
    public let path: String
    public let handle: FileHandle

    public init() throws {
        path =
            FileManager.default.temporaryDirectory.appendingPathComponent("echelon-test-\(UUID().uuidString).log").path
        guard FileManager.default.createFile(atPath: path, contents: nil),
            let handle = FileHandle(forWritingAtPath: path)
        else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        self.handle = handle
    }

    public func contents() -> String {
        String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
    }

    deinit {
        try? handle.close()
        try? FileManager.default.removeItem(atPath: path)
    }
}
