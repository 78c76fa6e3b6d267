import NIOCore
import NIOPosix

/// A failed connection attempt in the words an operator expects: NIO reports every address it
/// tried, and the first one's system error says it all ("Connection refused").
public func describeConnectionFailure(_ error: any Error) -> String {
    let first = (error as? NIOConnectionError)?.connectionErrors.first?.error ?? error
    if let error = first as? IOError { return String(cString: strerror(error.errnoCode)) }
    return "\(first)"
}
