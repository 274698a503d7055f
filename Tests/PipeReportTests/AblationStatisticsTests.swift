import Foundation
import PipeCore
import PipeReport
import PipeStages
import TestSupport
import Testing

/// The arithmetic of `pipe ablate`'s effects and intervals, against cases worked by hand.
@Suite struct AblationStatisticsTests {
    @Test func twoDifferencesGiveTheirOwnValuesAsThe95PercentBounds() throws {
        // Means of 2 draws from {0, 1}: 0 (p 1/4), 0.5 (1/2), 1 (1/4). The 2.5th and
        // 97.5th percentiles of 10,000 such means fall among the 0s and the 1s.
        #expect(PairedBootstrap().interval([0, 1]) == 0...1)
    }

    @Test func equalDifferencesGiveAZeroWidthInterval() throws {
        let interval = try #require(PairedBootstrap().interval([0.02, 0.02, 0.02]))
        #expect(abs(interval.lowerBound - 0.02) < 1e-15 && abs(interval.upperBound - 0.02) < 1e-15)
    }

    @Test func fewerThanTwoImagesGiveNoInterval() {
        #expect(PairedBootstrap().interval([0.3]) == nil)
        #expect(PairedBootstrap().interval([]) == nil)
    }

    @Test func theSameSeedGivesTheSameIntervalAndItHoldsTheMean() throws {
        let values = [0.012, -0.004, 0.031, 0.008, 0.019, -0.011]
        let first = try #require(PairedBootstrap(seed: 7).interval(values))
        #expect(PairedBootstrap(seed: 7).interval(values) == first)
        let mean = values.reduce(0, +) / Double(values.count)
        #expect(first.contains(mean) && first.lowerBound >= values.min()! && first.upperBound <= values.max()!)
    }

    @Test func percentilesInterpolateAsNumpyDoes() throws {
        // numpy.percentile([1, 2, 3, 4], 50) == 2.5; ([0, 10], 2.5) == 0.25.
        #expect(PairedBootstrap.percentile([1, 2, 3, 4], 0.5) == 2.5)
        #expect(PairedBootstrap.percentile([0, 10], 0.025) == 0.25)
    }

    @Test func percentilesAgreeWithNumpy() throws {
        guard toolAvailable(pythonHas("numpy")) else { return }
        let values = (0..<37).map { Double(($0 * 7919) % 101) / 13 }.sorted()
        let script = "import numpy as np; v = np.array([\(values.map { String($0) }.joined(separator: ","))]); "
            + "print(repr(float(np.percentile(v, 2.5))), repr(float(np.percentile(v, 97.5))))"
        let output = try runProcess("python3", ["-c", script])
        let numbers = output.stdout.split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        #expect(numbers.count == 2)
        #expect(abs(PairedBootstrap.percentile(values, 0.025) - numbers[0]) < 1e-12)
        #expect(abs(PairedBootstrap.percentile(values, 0.975) - numbers[1]) < 1e-12)
    }

    /// Four images scored by A, A + lr, A + lookahead and B (= A + both).
    static let scores = [
        VersionScore(version: "A", values: [0.75], units: ["1": 0.70, "2": 0.80, "3": 0.60, "4": 0.90]),
        VersionScore(version: "A_with_lookahead", values: [0.75], units: ["1": 0.69, "2": 0.81, "3": 0.59, "4": 0.91]),
        VersionScore(version: "A_with_lr", values: [0.77], units: ["1": 0.72, "2": 0.82, "3": 0.62, "4": 0.92]),
        VersionScore(version: "B", values: [0.78], units: ["1": 0.72, "2": 0.84, "3": 0.61, "4": 0.95]),
    ]

    func effects(_ design: AblationDesign, direction: MetricDeclaration.Direction = .higherIsBetter) -> AblationEffects {
        let contrasts = design.contrasts(names: ["lookahead", "lr"], cells: design.cells(variables: 2))
        return AblationEffects(a: "A", b: "B", design: design, contrasts: contrasts, scores: Self.scores,
                               metric: MetricDeclaration("cv", direction, .score), bootstrap: PairedBootstrap())
    }

    @Test func oneAtATimeEffectsAreMeansOfPerImageDifferences() throws {
        let result = effects(.oneAtATime)
        #expect(result.effects.map(\.name) == ["lookahead", "lr", "together − sum of each", "total (all of B)"])
        // lookahead: -0.01, +0.01, -0.01, +0.01 -> mean 0; 4 draws of ±0.01 are all -0.01 with p 1/16 > 2.5%.
        let lookahead = result.effects[0]
        #expect(abs(lookahead.estimate) < 1e-12)
        #expect(abs(lookahead.interval!.lowerBound + 0.01) < 1e-12 && abs(lookahead.interval!.upperBound - 0.01) < 1e-12)
        #expect(lookahead.verdict == "within noise at 95%" && lookahead.units == 4)
        // lr: +0.02 on every image.
        let lr = result.effects[1]
        #expect(abs(lr.estimate - 0.02) < 1e-12 && abs(lr.interval!.lowerBound - 0.02) < 1e-12)
        #expect(lr.verdict == "helps")
        // together - sum: B - A - (lookahead) - (lr) = (0.02, 0.04, 0.01, 0.05) - (-0.01, 0.01, -0.01, 0.01) - 0.02 = (0.01, 0.01, 0, 0.02).
        #expect(abs(result.effects[2].estimate - 0.01) < 1e-12)
        // total: B - A = 0.02, 0.04, 0.01, 0.05 -> 0.03.
        #expect(abs(result.effects[3].estimate - 0.03) < 1e-12 && result.effects[3].verdict == "helps")
    }

    @Test func factorialEffectsAreTheUsualTwoLevelEstimates() throws {
        let result = effects(.factorial)
        // cells in binary order: A, A+lookahead, A+lr, B. Per image, lookahead = (y10 + y11 - y00 - y01) / 2:
        // image 1: (0.69 + 0.72 - 0.70 - 0.72) / 2 = -0.005; 2: (0.81 + 0.84 - 0.80 - 0.82) / 2 = 0.015;
        // 3: (0.59 + 0.61 - 0.60 - 0.62) / 2 = -0.01; 4: (0.91 + 0.95 - 0.90 - 0.92) / 2 = 0.02 -> mean 0.005.
        #expect(abs(result.effects[0].estimate - 0.005) < 1e-12)
        // interaction = (y11 + y00 - y10 - y01) / 2: 1: 0.005; 2: 0.005; 3: 0; 4: 0.01 -> mean 0.005.
        #expect(result.effects[2].name == "lookahead × lr" && abs(result.effects[2].estimate - 0.005) < 1e-12)
    }

    @Test func aLowerIsBetterMetricTurnsTheVerdict() {
        #expect(effects(.oneAtATime, direction: .lowerIsBetter).effects[1].verdict == "hurts")
    }

    @Test func seedNoiseIsTheSampleStandardDeviationOverSeeds() throws {
        // 0.006, 0, 0.003: mean 0.003, squared deviations 9e-6 + 9e-6 + 0 over n - 1 = 2 -> 0.003.
        let noise = try #require(VersionScore.standardDeviation([0.806, 0.800, 0.803]))
        #expect(abs(noise - 0.003) < 1e-12)
        #expect(VersionScore.standardDeviation([0.8]) == nil)
    }
}
