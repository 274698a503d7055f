import PipeCore

/// Which versions between A and B an ablation runs, and how each effect is
/// read from them (a contrast: a weighted sum of the versions' scores).
public enum AblationDesign: String, Sendable, CaseIterable {
    /// Each variable of B applied alone to A (the default): effect = (A + v) − A.
    case oneAtATime = "one-at-a-time"
    /// Each variable of B taken back to A's value (`--from-b`): effect = B − (B − v).
    case leaveOneOut = "leave-one-out"
    /// Every combination (`--factorial`): main effects and two-way interactions.
    case factorial

    /// Above this many variables `--factorial` refuses: 2^5 = 32 versions is
    /// past what anyone reruns to read one table on a workstation.
    public static let factorialLimit = 4

    /// The versions, as which variables are at B's value, each once:
    /// one-at-a-time A, A + each, all; leave-one-out B, B − each, none;
    /// factorial every combination in binary order.
    public func cells(variables k: Int) -> [[Bool]] {
        let none = [Bool](repeating: false, count: k), all = [Bool](repeating: true, count: k)
        var cells: [[Bool]]
        switch self {
        case .oneAtATime:
            cells = [none] + (0..<k).map { i in (0..<k).map { $0 == i } } + [all]
        case .leaveOneOut:
            cells = [all] + (0..<k).map { i in (0..<k).map { $0 != i } } + [none]
        case .factorial:
            cells = (0..<(1 << k)).map { bits in (0..<k).map { bits & (1 << $0) != 0 } }
        }
        var seen = Set<[Bool]>()
        return cells.filter { seen.insert($0).inserted }
    }

    /// The effects this design reads, as weights over `cells` (same order).
    /// Main effects first (one per variable), then, with two or more
    /// variables, the interactions: every pair's when factorial (the usual
    /// 2^k estimate: the mean where both or neither are on minus the mean
    /// where one is), else one "together minus the sum of each alone"; last
    /// the total, all variables at B's value minus none.
    public func contrasts(names: [String], cells: [[Bool]]) -> [AblationContrast] {
        let k = names.count
        func index(_ on: [Bool]) -> Int { cells.firstIndex(of: on)! }
        let none = index([Bool](repeating: false, count: k)), all = index([Bool](repeating: true, count: k))
        var result: [AblationContrast] = []
        switch self {
        case .oneAtATime, .leaveOneOut:
            for i in 0..<k {
                let on = index(self == .oneAtATime ? (0..<k).map { $0 == i } : [Bool](repeating: true, count: k))
                let off = index(self == .oneAtATime ? [Bool](repeating: false, count: k) : (0..<k).map { $0 != i })
                result.append(AblationContrast(name: names[i], role: .main, weights: [on: 1, off: -1]))
            }
            if k > 1 {
                var weights = [all: 1.0, none: -1.0]
                for effect in result { for (cell, w) in effect.weights { weights[cell, default: 0] -= w } }
                result.append(AblationContrast(name: "together − sum of each", role: .interaction,
                                               weights: weights.filter { $0.value != 0 }))
            }
        case .factorial:
            let scale = 1 / Double(1 << (k - 1))
            func sign(_ on: Bool) -> Double { on ? 1 : -1 }
            for i in 0..<k {
                let weights = Dictionary(uniqueKeysWithValues: cells.indices.map { ($0, sign(cells[$0][i]) * scale) })
                result.append(AblationContrast(name: names[i], role: .main, weights: weights))
            }
            for i in 0..<k {
                for j in (i + 1)..<k {
                    let weights = Dictionary(uniqueKeysWithValues: cells.indices.map {
                        ($0, sign(cells[$0][i]) * sign(cells[$0][j]) * scale)
                    })
                    result.append(AblationContrast(name: "\(names[i]) × \(names[j])", role: .interaction, weights: weights))
                }
            }
        }
        if k > 1 { result.append(AblationContrast(name: "total (all of B)", role: .total, weights: [all: 1, none: -1])) }
        return result
    }
}

/// One effect an ablation estimates: a weighted sum of its versions' scores.
public struct AblationContrast: Sendable, Equatable {
    public enum Role: String, Sendable { case main, interaction, total }

    /// The variable's path, or the interaction's or total's name.
    public var name: String
    public var role: Role
    /// Version index (into the ablation's versions) -> weight.
    public var weights: [Int: Double]

    public init(name: String, role: Role, weights: [Int: Double]) {
        self.name = name
        self.role = role
        self.weights = weights
    }
}
