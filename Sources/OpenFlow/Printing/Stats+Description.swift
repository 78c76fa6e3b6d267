extension StatsRequest {
    var statsDescription: String {
        var text = "\(type) request"
        if !flags.isEmpty { text += " flags=\(hex(flags.rawValue))" }
        switch body {
        case .description, .table: break
        case .flow(let request), .aggregate(let request):
            text += " \(request.match)"
            if request.tableID != FlowStatsRequest.allTables { text += " table_id=\(request.tableID)" }
            if request.outPort != .none { text += " out_port=\(request.outPort)" }
        case .port(let request):
            text += " port_no=\(request.portNumber == .none ? "ANY" : request.portNumber.description)"
        case .queue(let request):
            text +=
                " port=\(request.portNumber == .all ? "ANY" : request.portNumber.description)"
                + " queue=\(request.queueID == QueueStatsRequest.allQueues ? "ALL" : String(request.queueID))"
        case .vendor(let vendor):
            text += " vendor=\(hex(vendor.vendor, digits: 8)) (\(vendor.payload.readableBytes) bytes)"
        }
        return text
    }
}

extension StatsReply {
    var statsDescription: String {
        var text = "\(type) reply" + (flags.contains(.more) ? " (more)" : "")
        switch body {
        case .description(let desc):
            text +=
                "\nManufacturer: \(desc.manufacturer)\nHardware: \(desc.hardware)\nSoftware: \(desc.software)"
                + "\nSerial Num: \(desc.serialNumber)\nDP Description: \(desc.datapath)"
        case .flow(let entries):
            for flow in entries {
                text +=
                    "\n cookie=\(hex(flow.cookie)), duration=\(flow.durationSeconds)s, table=\(flow.tableID),"
                    + " n_packets=\(flow.packetCount), n_bytes=\(flow.byteCount),"
                    + (flow.idleTimeout != 0 ? " idle_timeout=\(flow.idleTimeout)," : "")
                    + (flow.hardTimeout != 0 ? " hard_timeout=\(flow.hardTimeout)," : "")
                    + " priority=\(flow.priority),\(flow.match) actions=\(flow.actions.actionsDescription)"
            }
        case .aggregate(let stats):
            text += " packet_count=\(stats.packetCount) byte_count=\(stats.byteCount) flow_count=\(stats.flowCount)"
        case .table(let entries):
            for table in entries {
                text +=
                    "\n  \(table.tableID): \(table.name): wild=\(hex(table.wildcards.rawValue, digits: 6)), max=\(table.maxEntries),"
                    + " active=\(table.activeCount) lookup=\(table.lookupCount), matched=\(table.matchedCount)"
            }
        case .port(let entries):
            for port in entries {
                text +=
                    "\n  port \(port.portNumber): rx pkts=\(port.receivedPackets), bytes=\(port.receivedBytes),"
                    + " drop=\(port.receiveDropped), errs=\(port.receiveErrors), frame=\(port.receiveFrameErrors),"
                    + " over=\(port.receiveOverrunErrors), crc=\(port.receiveCRCErrors)"
                    + "\n           tx pkts=\(port.transmittedPackets), bytes=\(port.transmittedBytes),"
                    + " drop=\(port.transmitDropped), errs=\(port.transmitErrors), coll=\(port.collisions)"
            }
        case .queue(let entries):
            for queue in entries {
                text +=
                    "\n  port \(queue.portNumber) queue \(queue.queueID): bytes=\(queue.transmittedBytes),"
                    + " pkts=\(queue.transmittedPackets), errors=\(queue.transmitErrors)"
            }
        case .vendor(let vendor):
            text += " vendor=\(hex(vendor.vendor, digits: 8)) (\(vendor.payload.readableBytes) bytes)"
        }
        return text
    }
}
