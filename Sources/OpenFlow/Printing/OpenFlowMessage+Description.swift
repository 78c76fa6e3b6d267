import NIOCore

extension OpenFlowMessage: CustomStringConvertible {
    /// The message in the spirit of `ovs-ofctl ofp-print`: a first line with the type and xid,
    /// then the body's fields.
    public var description: String {
        let versionNote = version == OpenFlowHeader.version10 ? "" : " (version \(hex(version, digits: 2)))"
        let head = "\(type)\(versionNote) (xid=\(hex(xid))):"
        let detail = bodyDescription
        return detail.isEmpty ? head : detail.hasPrefix("\n") ? head + detail : head + " " + detail
    }

    private var bodyDescription: String {
        switch body {
        case .hello(let hello):
            return bytesNote(hello.elements, "elements").trimmingLeadingSpace
        case .error(let error):
            return "\(error.type) \(error.codeName)" + bytesNote(error.data, "data")
        case .echoRequest(let echo):
            return bytesNote(echo.payload, "payload").trimmingLeadingSpace
        case .echoReply(let echo):
            return bytesNote(echo.payload, "payload").trimmingLeadingSpace
        case .vendor(let vendor):
            return "vendor=\(hex(vendor.vendor, digits: 8))" + bytesNote(vendor.payload, "payload")
        case .featuresRequest, .getConfigRequest, .barrierRequest, .barrierReply:
            return ""
        case .featuresReply(let features):
            var lines = [
                "dpid:\(features.datapathID)",
                "n_tables:\(features.tableCount), n_buffers:\(features.bufferCount)",
                "capabilities: \(flagNames(features.capabilities, FeaturesReply.Capabilities.names))",
                "actions: \(features.supportedActions.names)",
            ]
            lines += features.ports.map(\.description)
            return lines.joined(separator: "\n")
        case .getConfigReply(let reply):
            return configDescription(reply.config)
        case .setConfig(let set):
            return configDescription(set.config)
        case .packetIn(let packetIn):
            return
                "total_len=\(packetIn.totalLength) in_port=\(packetIn.inPort) (via \(packetIn.reason)) data_len=\(packetIn.data.readableBytes)"
                + (packetIn.bufferID == .none
                    ? " (unbuffered)" : " buffer=\(hex(packetIn.bufferID.rawValue, digits: 8))")
        case .flowRemoved(let removed):
            return
                "\(removed.match) reason=\(removed.reason) cookie:\(hex(removed.cookie)) priority:\(removed.priority)"
                + " duration:\(removed.durationSeconds).\(zeroPadded(String(removed.durationNanoseconds / 1_000_000), width: 3))s"
                + " idle\(removed.idleTimeout) pkts\(removed.packetCount) bytes\(removed.byteCount)"
        case .portStatus(let status):
            return "\(status.reason):" + "\n" + status.port.description
        case .packetOut(let packetOut):
            return "in_port=\(packetOut.inPort) actions=\(packetOut.actions.actionsDescription)"
                + (packetOut.bufferID == .none
                    ? " data_len=\(packetOut.data.readableBytes)"
                    : " buffer=\(hex(packetOut.bufferID.rawValue, digits: 8))")
        case .flowMod(let flowMod):
            var text = "\(flowMod.command) \(flowMod.match)"
            if flowMod.cookie != 0 { text += " cookie:\(hex(flowMod.cookie))" }
            if flowMod.idleTimeout != 0 { text += " idle:\(flowMod.idleTimeout)" }
            if flowMod.hardTimeout != 0 { text += " hard:\(flowMod.hardTimeout)" }
            text += " pri:\(flowMod.priority)"
            if flowMod.bufferID != .none { text += " buf:\(hex(flowMod.bufferID.rawValue))" }
            if flowMod.outPort != .none { text += " out_port:\(flowMod.outPort)" }
            if !flowMod.flags.isEmpty { text += " flags:\(flagNames(flowMod.flags, FlowMod.Flags.names))" }
            return text + " actions=\(flowMod.actions.actionsDescription)"
        case .portMod(let portMod):
            return "port: \(portMod.portNumber): addr:\(portMod.hardwareAddress)"
                + "\n     config: \(flagNames(portMod.config, PortConfig.names))"
                + "\n     mask:   \(flagNames(portMod.mask, PortConfig.names))"
                + "\n     advertise: \(portMod.advertise.isEmpty ? "UNCHANGED" : flagNames(portMod.advertise, PortFeatures.names))"
        case .statsRequest(let request):
            return request.statsDescription
        case .statsReply(let reply):
            return reply.statsDescription
        case .queueGetConfigRequest(let request):
            return "port=\(request.port)"
        case .queueGetConfigReply(let reply):
            return "port=\(reply.port)"
                + reply.queues.map { queue in
                    "\nqueue \(queue.queueID):"
                        + queue.properties.map { property in
                            switch property {
                            case .none: return " none"
                            case .minimumRate(let rate):
                                return rate > 1000 ? " min_rate:disabled" : " min_rate:\(Double(rate) / 10)%"
                            }
                        }.joined()
                }.joined()
        }
    }

    private func configDescription(_ config: SwitchConfig) -> String {
        "frags=\(config.flags.fragmentHandling) miss_send_len=\(config.missSendLength)"
    }

    private func bytesNote(_ bytes: ByteBuffer, _ label: String) -> String {
        bytes.readableBytes == 0 ? "" : " (\(bytes.readableBytes) bytes of \(label))"
    }
}

extension String {
    var trimmingLeadingSpace: String { hasPrefix(" ") ? String(dropFirst()) : self }
}
