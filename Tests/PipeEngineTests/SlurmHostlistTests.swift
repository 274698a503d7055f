import PipeEngine
import Testing

// Slurm's compressed hostlists as squeue %N and sacct NodeList print them, expanded for --exclude.

@Test func hostlistRangesKeepTheirZeroPadding() {
    #expect(SlurmHostlist.expand("node[01-03,07],gpu5") == ["node01", "node02", "node03", "node07", "gpu5"])
    #expect(SlurmHostlist.expand("n[8-11]") == ["n8", "n9", "n10", "n11"])
    #expect(SlurmHostlist.expand("n[098-100]") == ["n098", "n099", "n100"])
    #expect(SlurmHostlist.expand("n[1-2,010]") == ["n1", "n2", "n010"])  // each range its own width
    #expect(SlurmHostlist.expand("gpu5") == ["gpu5"])
    #expect(SlurmHostlist.expand("a.cluster-1_x") == ["a.cluster-1_x"])
}

@Test func hostlistCommasInsideAndOutsideBracketsAndSeveralGroups() {
    #expect(SlurmHostlist.expand("a[1-2],b[3,5],c") == ["a1", "a2", "b3", "b5", "c"])
    #expect(SlurmHostlist.expand("rack[1-2]-n[08-09]") == ["rack1-n08", "rack1-n09", "rack2-n08", "rack2-n09"])
    #expect(SlurmHostlist.expand("n[1-2]-ib") == ["n1-ib", "n2-ib"])
    #expect(SlurmHostlist.expand("[1-2]x") == ["1x", "2x"])
}

@Test func hostlistWithoutNodesIsEmpty() {
    for none in ["", "  ", "(null)", "None assigned"] { #expect(SlurmHostlist.expand(none) == [], "\(none)") }
}

@Test func malformedHostlistsAreRefused() {
    for bad in ["n[1-", "n1-2]", "n[[1]]", "n[]", "n[3-1]", "n[1-2-3]", "n[a-b]", "a,,b", "a,", "n 1", "n;rm",
                "n[1,]", "n[-1]", "n[1234567890123456789]"] {
        #expect(SlurmHostlist.expand(bad) == nil, "\(bad)")
    }
}

/// A range from squeue or sacct is counted before anything is allocated: over the cap it is refused.
@Test func absurdHostlistsAreRefusedNotAllocated() {
    #expect(SlurmHostlist.expand("n[0-999999999999999999]") == nil)
    #expect(SlurmHostlist.expand("a[1-100]b[1-100]c[1-100]") == nil)  // 10^6 combinations
    #expect(SlurmHostlist.expand("a[1-9999],b[1-2]") == nil)          // 10,001 names in all
    #expect(SlurmHostlist.expand("a[1-9999],b")?.count == 10_000)
    #expect(SlurmHostlist.expand("n[1-100]x[1-100]")?.count == 10_000)
    #expect(SlurmHostlist.expand("n[1-3]", limit: 2) == nil)
}
