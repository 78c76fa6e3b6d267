/// A configuration file that cannot be used, said the way an operator needs it: which file,
/// where in it (as a JSON path), and what is wrong.
public struct ConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
    public var file: String
    /// `$.switches.echoTimeout`, or empty for the file as a whole.
    public var path: String
    public var problem: String

    public init(file: String, path: String, problem: String) {
        self.file = file
        self.path = path
        self.problem = problem
    }

    public init(file: String, decodingError: DecodingError) {
        func jsonPath(_ codingPath: [any CodingKey]) -> String {
            "$" + codingPath.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }.joined()
        }
        switch decodingError {
        case .keyNotFound(let key, let context):
            self.init(file: file, path: jsonPath(context.codingPath + [key]), problem: "required field is missing")
        case .typeMismatch(let type, let context):
            self.init(file: file, path: jsonPath(context.codingPath), problem: "expected \(Self.describe(type))")
        case .valueNotFound(let type, let context):
            self.init(
                file: file, path: jsonPath(context.codingPath), problem: "expected \(Self.describe(type)), found null")
        case .dataCorrupted(let context):
            let detail = context.underlyingError.map { "\($0)" } ?? context.debugDescription
            let problem = context.codingPath.isEmpty ? "not valid JSON: \(detail)" : context.debugDescription
            self.init(
                file: file, path: context.codingPath.isEmpty ? "" : jsonPath(context.codingPath), problem: problem)
        @unknown default:
            self.init(file: file, path: "", problem: "\(decodingError)")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Double.Type, is Float.Type: return "a number"
        case is Int.Type, is UInt16.Type, is UInt32.Type, is UInt64.Type: return "an integer in range"
        case is Bool.Type: return "true or false"
        default:
            let name = String(describing: type)
            return name.hasPrefix("Array") ? "a list" : name.hasPrefix("Dictionary") ? "an object" : "a \(name)"
        }
    }

    public var description: String {
        path.isEmpty ? "\(file): \(problem)" : "\(file): \(path): \(problem)"
    }
}
