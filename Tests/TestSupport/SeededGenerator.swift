import PropertyBased

/// Lets PropertyBased's existential generator drive the standard `random(in:using:)` APIs, so
/// that a failing property reports a seed that reproduces it.
public struct SeededGenerator: RandomNumberGenerator {
    public var base: any SeededRandomNumberGenerator
    public init(base: any SeededRandomNumberGenerator) { self.base = base }
    public mutating func next() -> UInt64 { base.next() }
}
