import Foundation

/// Forms a convolution's forward paths derive from its weight (Winograd's
/// transformed filters, their packing for the blocked kernel), kept between
/// calls for a weight that does not change: an eval-mode layer's folded
/// weight, rebuilt with a new `PreparedWeights` whenever the weight may have
/// changed. Without one, every call derives them again (a training step's
/// weights change every step).
final class PreparedWeights: @unchecked Sendable {
    /// A derived form of the weight, named by what it is for.
    enum Form: Hashable {
        /// `[16][o][c]` filters transformed for F(2x2, 3x3).
        case winograd
        /// `[36][o][c]` filters transformed for F(4x4, 3x3).
        case winograd4x4
        /// The transformed filters packed by `WinogradBlocked.packFilters` (forward).
        case winogradBlocked
    }

    private var forms: [Form: [Float]] = [:]
    private let lock = NSLock()

    /// The stored `form`, or `make()`'s result, stored for the next call.
    func form(_ form: Form, _ make: () -> [Float]) -> [Float] {
        if let stored = lock.withLock({ forms[form] }) { return stored }
        let made = make()
        lock.withLock { forms[form] = made }
        return made
    }
}

extension Optional where Wrapped == PreparedWeights {
    /// `form` from the prepared weights when there are some, else `make()`.
    func form(_ form: PreparedWeights.Form, _ make: () -> [Float]) -> [Float] {
        self?.form(form, make) ?? make()
    }
}
