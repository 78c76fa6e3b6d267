import Logging
import NIOCore
import NIOPosix

/// A TCP server of the unit (switches, units) with one handler per connection, and the one-line
/// reason a start-up error gives when the address cannot be had.
enum Listener {
    static func bind(
        _ address: SocketAddressSpec, for purpose: String, eventLoop: any EventLoop,
        handler makeHandler: @escaping @Sendable () -> any ChannelHandler
    ) async throws -> any Channel {
        do {
            return try await ServerBootstrap(group: eventLoop)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(makeHandler())
                    }
                }
                .bind(host: address.host, port: address.port)
                .get()
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            throw UnitStartupError(description: "cannot listen for \(purpose) on \(address): address already in use")
        } catch {
            throw UnitStartupError(description: "cannot listen for \(purpose) on \(address): \(error)")
        }
    }
}
