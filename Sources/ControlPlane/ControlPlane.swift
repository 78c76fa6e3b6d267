// The control-plane logic: pure state machines that take events and return actions.
// Its route table, filter table and dispatcher arrive with the issues that need them.
@_exported import OpenFlow
