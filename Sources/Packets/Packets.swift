// Packets: parse the frames switches send in PACKET_IN and build the ones a controller emits.
// Pure: values in, bytes out.
@_exported import OpenFlow
