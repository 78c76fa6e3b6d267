import ControlPlane
import NIOCore
import OpenFlow
import Testing

@Suite struct SwitchConnectionStateMachineTests {
    let t0 = NIODeadline.uptimeNanoseconds(1_000_000_000)
    let features = FeaturesReply(
        datapathID: DatapathID(0x2a),
        ports: [
            PhysicalPort(portNumber: PortNumber(1), hardwareAddress: MACAddress(2, 0, 0, 0, 0, 1), name: "eth1")
        ])

    func message(_ action: SwitchConnectionAction) -> OpenFlowMessage? {
        if case .send(let message) = action { return message }
        return nil
    }

    /// Runs the handshake to the active state; returns the machine.
    func activeMachine(
        _ configuration: SwitchConnectionConfiguration = SwitchConnectionConfiguration()
    ) throws -> SwitchConnectionStateMachine {
        var machine = SwitchConnectionStateMachine(configuration: configuration)
        _ = machine.start(now: t0)
        let request = try #require(message(machine.received(OpenFlowMessage(xid: 1, .hello(Hello())), now: t0)))
        let action = machine.received(OpenFlowMessage(xid: request.xid, .featuresReply(features)), now: t0)
        guard case .handshakeComplete = action else {
            Issue.record("expected handshakeComplete, got \(action)")
            return machine
        }
        return machine
    }

    @Test func handshakeSaysHelloAsksFeaturesAndConfigures() throws {
        var machine = SwitchConnectionStateMachine()
        let hello = try #require(message(machine.start(now: t0)))
        #expect(hello.type == .hello && hello.version == 1)
        let request = try #require(message(machine.received(OpenFlowMessage(xid: 9, .hello(Hello())), now: t0)))
        #expect(request.type == .featuresRequest)
        #expect(machine.datapathID == nil)
        let action = machine.received(OpenFlowMessage(xid: request.xid, .featuresReply(features)), now: t0)
        guard case .handshakeComplete(let description, let send) = action else {
            Issue.record("\(action)")
            return
        }
        #expect(description.datapathID == DatapathID(0x2a))
        #expect(send.count == 1)
        guard case .setConfig(let config) = send.first?.body else {
            Issue.record("expected SET_CONFIG")
            return
        }
        #expect(config.config.missSendLength == 0xffff)
        #expect(machine.datapathID == DatapathID(0x2a))
    }

    @Test func aFeaturesReplyWithAnotherXIDDoesNotCompleteTheHandshake() throws {
        var machine = SwitchConnectionStateMachine()
        _ = machine.start(now: t0)
        let request = try #require(message(machine.received(OpenFlowMessage(xid: 1, .hello(Hello())), now: t0)))
        #expect(machine.received(OpenFlowMessage(xid: request.xid &+ 100, .featuresReply(features)), now: t0) == .none)
        #expect(!machine.isActive)
    }

    @Test func aLaterVersionWithoutBitmapNegotiatesDownTo10() throws {
        var machine = SwitchConnectionStateMachine()
        _ = machine.start(now: t0)
        let reply = try #require(
            message(machine.received(OpenFlowMessage(version: 4, xid: 1, .hello(Hello())), now: t0)))
        #expect(reply.type == .featuresRequest)
    }

    @Test func aVersionBitmapWith10IsAccepted() throws {
        var machine = SwitchConnectionStateMachine()
        _ = machine.start(now: t0)
        // Element type 1 (bitmap), length 8, bitmap with bits 1 and 4 (OpenFlow 1.0 and 1.3).
        let hello = Hello(elements: ByteBuffer(bytes: [0, 1, 0, 8, 0, 0, 0, 0x12]))
        #expect(hello.versionBitmap == [1, 4])
        let reply = try #require(message(machine.received(OpenFlowMessage(version: 4, xid: 1, .hello(hello)), now: t0)))
        #expect(reply.type == .featuresRequest)
    }

    @Test func aSwitchThatCannotSpeak10IsToldInItsOwnVersionAndClosed() throws {
        var machine = SwitchConnectionStateMachine()
        _ = machine.start(now: t0)
        let hello = Hello(elements: ByteBuffer(bytes: [0, 1, 0, 8, 0, 0, 0, 0x10]))
        let action = machine.received(OpenFlowMessage(version: 4, xid: 7, .hello(hello)), now: t0)
        guard case .close(.incompatibleVersion(4), let error?) = action else {
            Issue.record("\(action)")
            return
        }
        #expect(error.version == 4)
        #expect(error.xid == 7)
        guard case .error(let body) = error.body else {
            Issue.record("expected an error")
            return
        }
        #expect(body.type == .helloFailed && body.code == HelloFailedCode.incompatible.rawValue)
        #expect(String(buffer: body.data).contains("OpenFlow 1.0"))
        // Nothing more is accepted after the close.
        #expect(machine.received(OpenFlowMessage(xid: 8, .echoRequest(EchoRequest())), now: t0) == .none)
    }

    @Test func anythingButHelloFirstClosesTheChannel() {
        var machine = SwitchConnectionStateMachine()
        _ = machine.start(now: t0)
        #expect(
            machine.received(OpenFlowMessage(xid: 1, .featuresRequest(FeaturesRequest())), now: t0)
                == .close(.expectedHello(got: .featuresRequest), sendingFirst: nil))
    }

    @Test func echoRequestsAreAnsweredInEveryOpenState() throws {
        var machine = SwitchConnectionStateMachine()
        _ = machine.start(now: t0)
        let payload = ByteBuffer(bytes: [1, 2, 3])
        let reply = try #require(
            message(machine.received(OpenFlowMessage(xid: 5, .echoRequest(EchoRequest(payload: payload))), now: t0)))
        #expect(reply == OpenFlowMessage(xid: 5, .echoReply(EchoReply(payload: payload))))
        var active = try activeMachine()
        #expect(
            message(active.received(OpenFlowMessage(xid: 6, .echoRequest(EchoRequest())), now: t0))?.type == .echoReply)
    }

    @Test func keepaliveProbesASilentSwitchAndDropsADeadOne() throws {
        var machine = try activeMachine(
            SwitchConnectionConfiguration(echoInterval: .seconds(5), echoTimeout: .seconds(15)))
        #expect(machine.tick(now: t0 + .seconds(4)) == .none)
        let echo = try #require(message(machine.tick(now: t0 + .seconds(5))))
        #expect(echo.type == .echoRequest)
        // One probe at a time.
        #expect(machine.tick(now: t0 + .seconds(6)) == .none)
        // The switch answers: silence starts again from the answer.
        #expect(
            machine.received(OpenFlowMessage(xid: echo.xid, .echoReply(EchoReply())), now: t0 + .seconds(7)) == .none)
        #expect(machine.tick(now: t0 + .seconds(11)) == .none)
        #expect(message(machine.tick(now: t0 + .seconds(12)))?.type == .echoRequest)
        #expect(machine.tick(now: t0 + .seconds(22)) == .close(.keepaliveTimeout, sendingFirst: nil))
    }

    @Test func aHandshakeThatStallsIsClosed() {
        var machine = SwitchConnectionStateMachine(
            configuration: SwitchConnectionConfiguration(handshakeTimeout: .seconds(10)))
        _ = machine.start(now: t0)
        #expect(machine.tick(now: t0 + .seconds(9)) == .none)
        #expect(machine.tick(now: t0 + .seconds(10)) == .close(.handshakeTimeout, sendingFirst: nil))
    }

    @Test func messagesForTheUnitAreDeliveredAndPortStatusUpdatesTheSwitch() throws {
        var machine = try activeMachine()
        let packetIn = OpenFlowMessage(
            xid: 0, .packetIn(PacketIn(totalLength: 0, inPort: PortNumber(1), data: ByteBuffer())))
        #expect(machine.received(packetIn, now: t0) == .deliver(packetIn))
        let added = PhysicalPort(portNumber: PortNumber(2), hardwareAddress: MACAddress(2, 0, 0, 0, 0, 2), name: "eth2")
        let status = OpenFlowMessage(xid: 0, .portStatus(PortStatus(reason: .add, port: added)))
        #expect(machine.received(status, now: t0) == .deliver(status))
    }

    @Test func malformedMessagesGetTheErrorTheSpecificationNamesThenTheBudgetRunsOut() throws {
        var machine = try activeMachine(SwitchConnectionConfiguration(errorBudget: 2, errorWindow: .seconds(10)))
        let frame = ByteBuffer(bytes: [1, 30, 0, 8, 0, 0, 0, 77])
        let error = WireError(.unknownType(30), field: "ofp_header.type", offset: 1)
        let first = try #require(message(machine.receivedMalformed(error, frame: frame, now: t0)))
        #expect(first.xid == 77)
        guard case .error(let body) = first.body else {
            Issue.record("expected an error")
            return
        }
        #expect(body.type == .badRequest && body.code == BadRequestCode.badType.rawValue)
        #expect(body.data == frame)
        _ = machine.receivedMalformed(error, frame: frame, now: t0 + .seconds(1))
        let third = machine.receivedMalformed(error, frame: frame, now: t0 + .seconds(2))
        guard case .close(.tooManyErrors(3), _?) = third else {
            Issue.record("\(third)")
            return
        }
    }

    @Test func theErrorBudgetIsPerWindow() throws {
        var machine = try activeMachine(SwitchConnectionConfiguration(errorBudget: 1, errorWindow: .seconds(10)))
        let error = WireError(.unknownType(30), field: "ofp_header.type", offset: 1)
        let frame = ByteBuffer(bytes: [1, 30, 0, 8, 0, 0, 0, 1])
        #expect(message(machine.receivedMalformed(error, frame: frame, now: t0)) != nil)
        #expect(message(machine.receivedMalformed(error, frame: frame, now: t0 + .seconds(11))) != nil)
    }

    @Test func controllerMessagesFromASwitchAreBadRequests() throws {
        var machine = try activeMachine()
        let flowMod = OpenFlowMessage(xid: 3, .flowMod(FlowMod(match: .all)))
        let reply = try #require(message(machine.received(flowMod, now: t0)))
        guard case .error(let body) = reply.body else {
            Issue.record("expected an error")
            return
        }
        #expect(body.type == .badRequest && body.code == BadRequestCode.badType.rawValue)
        #expect(body.data.readableBytes == 64)
    }

    @Test func controllerMessagesPastTheBudgetCloseOnceAndTheRestIsIgnored() throws {
        var machine = try activeMachine(SwitchConnectionConfiguration(errorBudget: 1, errorWindow: .seconds(10)))
        let flowMod = OpenFlowMessage(xid: 3, .flowMod(FlowMod(match: .all)))
        #expect(message(machine.received(flowMod, now: t0)) != nil)
        guard case .close(.tooManyErrors(2), _?) = machine.received(flowMod, now: t0) else {
            Issue.record("expected the close")
            return
        }
        // The rest of the same read burst: the connection is closed, nothing more is said.
        #expect(machine.received(flowMod, now: t0) == .none)
        let packetIn = OpenFlowMessage(
            xid: 0, .packetIn(PacketIn(totalLength: 0, inPort: PortNumber(1), data: ByteBuffer())))
        #expect(machine.received(packetIn, now: t0) == .none)
    }

    @Test func aLyingLengthClosesWithBadLength() throws {
        var machine = try activeMachine()
        let action = machine.framingFailed(
            WireError(.lengthBelowMinimum(length: 2, minimum: 8), field: "ofp_header.length", offset: 2))
        guard case .close(.framingError, let error?) = action, case .error(let body) = error.body else {
            Issue.record("\(action)")
            return
        }
        #expect(body.code == BadRequestCode.badLength.rawValue)
    }

    @Test func aSwitchClosedByTheControllerIsStillReportedRemovedWhenItsChannelEnds() throws {
        var machine = try activeMachine(
            SwitchConnectionConfiguration(echoInterval: .seconds(1), echoTimeout: .seconds(3)))
        #expect(machine.tick(now: t0 + .seconds(3)) == .close(.keepaliveTimeout, sendingFirst: nil))
        #expect(machine.channelClosed() == .switchRemoved(DatapathID(0x2a)))
        #expect(machine.channelClosed() == .none, "reported once")
    }

    /// Another connection named this switch's DPID: the switch is asked for an echo at once.
    /// Answering (or saying anything) keeps its channel; silent for the challenge timeout, it is
    /// closed, well before the keepalive would.
    @Test func aChallengedSwitchThatAnswersStaysAndASilentOneIsClosed() throws {
        let configuration = SwitchConnectionConfiguration(
            echoInterval: .seconds(5), echoTimeout: .seconds(15), challengeTimeout: .seconds(2))
        var live = try activeMachine(configuration)
        let echo = try #require(message(live.challenge(now: t0 + .seconds(1))))
        #expect(echo.type == .echoRequest)
        #expect(live.challenge(now: t0 + .milliseconds(1500)) == .none, "one challenge at a time")
        _ = live.received(OpenFlowMessage(xid: echo.xid, .echoReply(EchoReply())), now: t0 + .milliseconds(1100))
        #expect(live.tick(now: t0 + .seconds(4)) == .none)
        #expect(live.isActive)
        #expect(message(live.challenge(now: t0 + .seconds(4)))?.type == .echoRequest, "challenged again later")

        var dead = try activeMachine(configuration)
        _ = dead.challenge(now: t0 + .seconds(1))
        #expect(dead.tick(now: t0 + .milliseconds(2900)) == .none)
        #expect(dead.tick(now: t0 + .seconds(3)) == .close(.unansweredChallenge(.seconds(2)), sendingFirst: nil))
        #expect(dead.channelClosed() == .switchRemoved(DatapathID(0x2a)))
    }

    @Test func aRefusedChannelHasNoSwitchToRemove() throws {
        var machine = try activeMachine()
        machine.refused()
        #expect(!machine.isActive)
        #expect(machine.channelClosed() == .none, "the switch is the other channel's")
    }

    @Test func closingAnActiveChannelRemovesItsSwitch() throws {
        var machine = try activeMachine()
        #expect(machine.channelClosed() == .switchRemoved(DatapathID(0x2a)))
        var idle = SwitchConnectionStateMachine()
        #expect(idle.channelClosed() == .none)
    }

    @Test func wireErrorsMapToTheSpecifiedErrorCodes() {
        let request = ByteBuffer(bytes: Array(repeating: 7, count: 100))
        func code(_ error: WireError) -> (ErrorType, UInt16) {
            let message = ErrorMessage(answering: error, request: request)
            #expect(message.data.readableBytes == 64)
            return (message.type, message.code)
        }
        #expect(
            code(WireError(.unsupportedVersion(4), field: "ofp_header.version", offset: 0)) == (
                .badRequest, BadRequestCode.badVersion.rawValue
            ))
        #expect(
            code(WireError(.unknownType(40), field: "ofp_header.type", offset: 1)) == (
                .badRequest, BadRequestCode.badType.rawValue
            ))
        #expect(
            code(WireError(.unknownType(9), field: "ofp_stats_request.type", offset: 8)) == (
                .badRequest, BadRequestCode.badStat.rawValue
            ))
        #expect(
            code(WireError(.unknownType(12), field: "ofp_action_header.type", offset: 72)) == (
                .badAction, BadActionCode.badType.rawValue
            ))
        #expect(
            code(WireError(.lengthNotMultiple(length: 12, multiple: 8), field: "ofp_action_header.len", offset: 74))
                == (.badAction, BadActionCode.badLength.rawValue))
        #expect(
            code(WireError(.wrongBodySize(size: 60, expected: 64), field: "ofp_header.length", offset: 2)) == (
                .badRequest, BadRequestCode.badLength.rawValue
            ))
    }
}
