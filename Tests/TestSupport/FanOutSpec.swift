/// A spec of `count` tiny command tasks (stage `each`, one per item, each
/// first sleeping `sleep` seconds) and one task reading them all (`all`):
/// the fan-out the runner-overhead and batch-executor tests share.
public func fanOutSpec(_ count: Int, sleep: Double = 0) -> String {
    """
    pipeline: wide
    params: {items: [\((0..<count).map(String.init).joined(separator: ", "))]}
    stages:
      each:
        kind: command
        foreach: "${params.items}"
        cmd: "\(sleep > 0 ? "sleep \(sleep); " : "")echo ${item} > out.txt"
        outs: [out.txt]
      all:
        kind: command
        deps: [each]
        cmd: "cat ${deps.each}/*/out.txt | wc -l > count.txt"
        outs: [count.txt]
    """
}
