// The runtime: SwiftNIO channels, handshakes, timers and dialing, which feed the control-plane
// state machines and perform the actions they return.
@_exported import ControlPlane
