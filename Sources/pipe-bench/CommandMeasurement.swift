import Foundation

/// Wall time and peak RSS of one shell command, by /usr/bin/time.
struct CommandMeasurement {
    var seconds: Double
    var peakRSS: Double

    static func of(_ command: String, in directory: String) throws -> CommandMeasurement {
        let output = try shell("/usr/bin/time -f 'TIME %e %M' sh -c '\(command)' 2>&1 | grep '^TIME'", in: directory)
        let fields = output.split(separator: " ")
        guard fields.count >= 3, let seconds = Double(fields[1]), let kilobytes = Double(fields[2].trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw ValidationErrorText("could not read the timing of '\(command)': \(output)")
        }
        return CommandMeasurement(seconds: seconds, peakRSS: kilobytes * 1024)
    }
}
