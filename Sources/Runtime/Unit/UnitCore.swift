import ControlPlane
import Logging
import NIOCore
import OpenFlow

/// The unit's state on its event loop: the pure `UnitController` plus the live switch
/// channels it sends through. Every call happens on that one loop, so events from each switch
/// are handled in order and no state is shared across threads.
final class UnitCore: SwitchMessageSink {
    private var controller: UnitController<ConnectionID>
    /// Channels by DPID: where the controller's messages go. Kept apart from the controller,
    /// which must not be read while it is handling an event.
    private var channelsByDatapath: [DatapathID: SwitchChannelHandler] = [:]
    private var openChannels: [ConnectionID: SwitchChannelHandler] = [:]
    private var pendingFlush: [SwitchChannelHandler] = []
    private let logger: Logger
    let eventLoop: any EventLoop
    private(set) var malformedMessages = 0
    private(set) var undeliverable = 0

    init(services: [any HostedService], hosts: HostTracker, links: LinkDiscovery, eventLoop: any EventLoop, logger: Logger) {
        self.controller = UnitController(services: services, hosts: hosts, links: links)
        self.eventLoop = eventLoop
        self.logger = logger
    }

    var switchCount: Int { channelsByDatapath.count }
    var hostCount: Int { controller.hosts.count }
    var counters: UnitCounters { controller.counters }

    func channelOpened(_ handler: SwitchChannelHandler) {
        guard let id = handler.id else { return }
        openChannels[id] = handler
    }

    func channelClosed(_ handler: SwitchChannelHandler) {
        guard let id = handler.id else { return }
        openChannels[id] = nil
    }

    func switchReady(_ description: SwitchDescription, on handler: SwitchChannelHandler, now: NIODeadline) {
        guard let id = handler.id else { return }
        channelsByDatapath[description.datapathID] = handler
        if let replaced = controller.switchConnected(description, on: id, now: now, sink: self) {
            openChannels[replaced]?.closeReplaced()
        }
    }

    func switchGone(_ datapathID: DatapathID, on handler: SwitchChannelHandler, now: NIODeadline) {
        guard let id = handler.id else { return }
        if channelsByDatapath[datapathID] === handler { channelsByDatapath[datapathID] = nil }
        controller.switchDisconnected(datapathID, on: id, now: now, sink: self)
        flushPending()
    }

    func received(_ message: OpenFlowMessage, from datapathID: DatapathID, now: NIODeadline) {
        controller.received(message, from: datapathID, now: now, sink: self)
    }

    func tick() {
        let now = NIODeadline.now()
        for handler in openChannels.values { handler.tick(now: now) }
        controller.tick(now: now, sink: self)
        flushPending()
    }

    func countMalformed() { malformedMessages += 1 }

    // MARK: SwitchMessageSink

    func send(_ body: OpenFlowMessage.Body, to datapathID: DatapathID) {
        guard let handler = channelsByDatapath[datapathID] else {
            undeliverable += 1
            return
        }
        handler.send(body)
    }

    func needsFlush(_ handler: SwitchChannelHandler) {
        pendingFlush.append(handler)
    }

    func flushPending() {
        guard !pendingFlush.isEmpty else { return }
        let handlers = pendingFlush
        pendingFlush.removeAll(keepingCapacity: true)
        for handler in handlers { handler.flush() }
    }

    func closeAll() {
        for handler in openChannels.values { handler.close() }
    }
}
