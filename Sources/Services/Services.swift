// Controller services (authenticator, resolver, forwarding) behind one protocol.
@_exported import ControlPlane
