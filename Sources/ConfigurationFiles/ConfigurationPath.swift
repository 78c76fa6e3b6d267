import Foundation

/// Paths as configuration files write them.
public enum ConfigurationPath {
    /// `path` as the file at `folder` means it: an absolute path as it is, a relative one from
    /// that folder.
    public static func resolved(_ path: String, from folder: String) -> String {
        path.hasPrefix("/") ? path : URL(fileURLWithPath: folder).appendingPathComponent(path).standardizedFileURL.path
    }
}
