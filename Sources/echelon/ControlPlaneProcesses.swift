import ConfigurationFiles
import Foundation
import Runtime
import UnitProtocol

/// The units of one control plane as processes of this machine: their derived files, logs and
/// PID files in a state folder of their own, started in process groups of their own (a Ctrl-C
/// meant for `topologize` does not reach them) and stopped by PID, and only when that PID is
/// still the unit that was started (its command line names its own file).
struct ControlPlaneProcesses {
    let description: ControlPlaneDescription
    let descriptionFile: String
    let state: URL

    init(description: ControlPlaneDescription, descriptionFile: String, state: String?) {
        self.description = description
        self.descriptionFile = descriptionFile
        self.state = URL(fileURLWithPath: state ?? ".echelon/\(description.name)").standardizedFileURL
    }

    func configuration(of unit: String) -> URL { state.appendingPathComponent("\(unit).json") }
    func log(of unit: String) -> URL { state.appendingPathComponent("\(unit).log") }
    func pidFile(of unit: String) -> URL { state.appendingPathComponent("\(unit).pid") }

    /// Writes every unit's file into `folder` (the state folder by default), and with TLS
    /// between units, the control plane's CA and each unit's certificate into `pki/` there
    /// (those that are missing: a CA is made once, and a unit keeps its certificate).
    func render(into folder: URL? = nil, certificates: Bool = true) throws -> (files: [URL], certificates: [String]) {
        let folder = folder ?? state
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let files = try description.unitFiles(
            file: descriptionFile,
            descriptionFolder: URL(fileURLWithPath: descriptionFile).deletingLastPathComponent().path,
            folder: folder.path)
        let urls = try files.map { name, json in
            let url = folder.appendingPathComponent("\(name).json")
            try json.write(to: url, options: .atomic)
            return url
        }
        guard certificates, description.unitChannels == .tls else { return (urls, []) }
        let authority = CertificateAuthorityFolder(
            path: folder.appendingPathComponent(ControlPlaneDescription.certificateFolder).path)
        var created: [String] = []
        if !authority.exists {
            try authority.create(name: "\(description.name) CA", days: 3650)
            created.append(authority.certificatePath)
        }
        for unit in description.units {
            let uid = UnitID(unit.uid)
            guard !FileManager.default.fileExists(atPath: authority.unitFiles(uid).certificate) else { continue }
            created.append(try authority.issue(uid: uid, name: unit.name, days: 825).certificate)
        }
        return (urls, created)
    }

    /// The PID of the unit's process, if one was started and still runs as that unit.
    func runningPID(of unit: String) -> Int32? {
        guard let text = try? String(contentsOf: pidFile(of: unit), encoding: .utf8),
            let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0
        else { return nil }
        // The kernel may have given the PID to another process since: only ours is ours.
        guard let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return nil }
        let arguments = cmdline.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        return arguments.contains(configuration(of: unit).path) ? pid : nil
    }

    /// Starts the unit with `executable run --config FILE`, its output in its log.
    func start(_ unit: String, executable: String) throws -> Int32 {
        try Data().write(to: log(of: unit))
        let output = try FileHandle(forWritingTo: log(of: unit))
        defer { try? output.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["run", "--config", configuration(of: unit).path]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output
        // Foundation starts it in a process group of its own: a Ctrl-C at the terminal does not
        // reach it, and it outlives `topologize up`.
        try process.run()
        let pid = process.processIdentifier
        try Data("\(pid)\n".utf8).write(to: pidFile(of: unit), options: .atomic)
        return pid
    }

    /// Stops the unit if it runs: SIGTERM, then SIGKILL after `grace` seconds. True if it was running.
    @discardableResult
    func stop(_ unit: String, grace: Double = 5) -> Bool {
        defer { try? FileManager.default.removeItem(at: pidFile(of: unit)) }
        guard let pid = runningPID(of: unit) else { return false }
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while Date() < deadline, runningPID(of: unit) == pid, !Self.isZombie(pid) {
            usleep(50_000)
        }
        if runningPID(of: unit) == pid, !Self.isZombie(pid) { kill(pid, SIGKILL) }
        return true
    }

    /// A process that has exited but that its parent has not waited for yet.
    static func isZombie(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return true }
        return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }

    /// The last `count` lines of the unit's log.
    func logTail(of unit: String, lines count: Int) -> [String] {
        guard let text = try? String(contentsOf: log(of: unit), encoding: .utf8) else { return [] }
        return Array(text.split(separator: "\n").map(String.init).suffix(count))
    }
}
