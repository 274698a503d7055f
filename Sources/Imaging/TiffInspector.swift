import CTIFF
import Foundation

/// Reads a TIFF's directory structure into `TiffInfo` plus per-level read plans.
enum TiffInspector {
    /// The file's description and, when pipe can decode it, one plan per pyramid level (level 0
    /// first). A file pipe cannot decode gets `info.problem` and no plans instead of an error, so
    /// `image info` can still describe it; damaged headers still throw.
    static func inspect(_ handle: TiffHandle, options: TiffReadOptions = .init()) throws(ImagingError) -> (TiffInfo, [TiffLevelPlan]) {
        let pages = max(1, handle.pageCount())
        try handle.select(.page(0))
        let first = try handle.directoryFields()
        let layout = try layoutOf(first, pages: pages, handle: handle)
        try handle.select(.page(0))
        var info = TiffInfo(path: handle.path, width: first.width, height: first.height, channels: 0,
                            samplesPerPixel: first.samplesPerPixel, layout: layout,
                            photometric: photometricName(first.photometric, samples: first.samplesPerPixel),
                            bigTIFF: handle.isBigTIFF, pages: pages, levels: [], bitsPerSample: first.bitsPerSample,
                            sampleFormat: first.sampleFormat, compressionCode: Int(first.compression))
        let base: TiffLevelPlan
        do {
            base = try plan(first, address: .page(0), layout: layout, handle: handle, options: options)
        } catch where error.code == .unsupported {
            info.problem = error.message
            info.levels = [TiffLevel(address: .page(0), width: first.width, height: first.height, tiled: first.tiled,
                                     chunkWidth: first.chunkWidth, chunkHeight: first.chunkHeight,
                                     compression: TiffCompression(code: first.compression), predictor: first.predictor)]
            return (info, [])
        }
        info.channels = base.colorSamples
        let (plans, skipped) = try reducedLevels(first, base: base, pages: pages, layout: layout, handle: handle, options: options)
        info.levels = ([base] + plans).map(\.level)
        info.skipped = skipped
        return (info, [base] + plans)
    }

    private static func layoutOf(_ f: TiffDirectoryFields, pages: Int, handle: TiffHandle) throws(ImagingError) -> TiffLayout {
        if f.samplesPerPixel == 1, f.photometric == Int(PHOTOMETRIC_MINISBLACK), pages >= 3 {
            var same = true
            for page in 1...2 {
                try handle.select(.page(page))
                let g = try handle.directoryFields()
                same = same && g.width == f.width && g.height == f.height && g.samplesPerPixel == 1 && !g.reducedResolution
                    && g.bitsPerSample == f.bitsPerSample && g.photometric == f.photometric
            }
            try handle.select(.page(0))
            if same { return .pagePerChannel }
        }
        return f.planarSeparate && f.samplesPerPixel > 1 ? .planar : .contiguous
    }

    /// The pyramid's reduced levels, largest first, and the directories that are not levels with the
    /// reason. Candidates are page 0's SubIFDs when it has any, else the later pages (at most 32).
    /// A level is a directory whose size is a reduction of the base (same aspect ratio, smaller),
    /// stored like a level (tiled when the base is: scanners store their thumbnail in strips), not
    /// marked as a label, macro, thumbnail or mask, and decodable to the base's channels. Levels are
    /// ordered by size, not by where they sit in the file.
    private static func reducedLevels(_ first: TiffDirectoryFields, base: TiffLevelPlan, pages: Int, layout: TiffLayout,
                                      handle: TiffHandle, options: TiffReadOptions) throws(ImagingError) -> ([TiffLevelPlan], [TiffSkippedDirectory]) {
        let channelSubIFDs = layout == .pagePerChannel ? try subIFDsOfChannelPages(first, handle: handle) : []
        let addresses: [TiffLevel.Address] = !first.subIFDs.isEmpty ? first.subIFDs.prefix(32).map { .subIFD($0) }
            : pages > 1 ? (1..<min(pages, 33)).map { .page($0) } : []
        var plans: [TiffLevelPlan] = [], skipped: [TiffSkippedDirectory] = []
        for (index, address) in addresses.enumerated() {
            if layout == .pagePerChannel, case .page(let page) = address, page < 3 { continue }   // the other channels
            let fields: TiffDirectoryFields
            do {
                try handle.select(address)
                fields = try handle.directoryFields()
            } catch {
                skipped.append(TiffSkippedDirectory(address: address, width: 0, height: 0, reason: "unreadable: \(error.message)"))
                continue
            }
            func skip(_ reason: String) {
                skipped.append(TiffSkippedDirectory(address: address, width: fields.width, height: fields.height, reason: reason))
            }
            if let reason = notALevel(fields, base: first) { skip(reason); continue }
            do {
                let p: TiffLevelPlan
                if fields.samplesPerPixel == 1, !channelSubIFDs.isEmpty, channelSubIFDs.allSatisfy({ $0.indices.contains(index) }) {
                    // one page per channel, each with its own SubIFD pyramid (OME CYX)
                    p = try plan(fields, address: address, layout: .pagePerChannel, handle: handle, options: options,
                                 channelPlanes: channelSubIFDs.map { .subIFD($0[index]) })
                } else {
                    p = try plan(fields, address: address, layout: layout == .pagePerChannel ? .contiguous : layout,
                                 handle: handle, options: options)
                }
                guard p.colorSamples == base.colorSamples else {
                    skip("\(p.colorSamples) channel\(p.colorSamples == 1 ? "" : "s"), the base has \(base.colorSamples)"); continue
                }
                if let same = plans.first(where: { $0.level.width == p.level.width && $0.level.height == p.level.height }) {
                    skip("same size as \(same.level.address)"); continue
                }
                plans.append(p)
            } catch {
                skip("cannot be decoded: \(error.message)")
            }
        }
        plans.sort { $0.level.width > $1.level.width }
        return (plans, skipped)
    }

    /// Why the directory `f` is not a reduced level of `base`, or nil when it is one.
    static func notALevel(_ f: TiffDirectoryFields, base: TiffDirectoryFields) -> String? {
        let words = f.description.lowercased()
        for kind in ["label", "macro", "thumbnail"] where words.range(of: "\\b\(kind)\\b", options: .regularExpression) != nil {
            return "a \(kind) image (its description says so)"
        }
        if f.subfileType & 4 != 0 { return "a transparency mask (NewSubfileType \(f.subfileType))" }
        if f.subfileType & ~1 != 0 { return "NewSubfileType \(f.subfileType) is not a reduced image" }
        guard f.width < base.width, f.height <= base.height else { return "not smaller than the base image" }
        let expected = Double(base.height) * Double(f.width) / Double(base.width)
        guard abs(Double(f.height) - expected) <= max(2, expected / 100) else {
            return "\(f.width) x \(f.height) has another aspect ratio than the base \(base.width) x \(base.height)"
        }
        if base.tiled, !f.tiled { return "stored in strips while the pyramid is tiled (a scanner's thumbnail)" }
        return nil
    }

    /// The SubIFD offsets of pages 0, 1 and 2 of a page-per-channel file, or [] when page 0 has none.
    private static func subIFDsOfChannelPages(_ first: TiffDirectoryFields, handle: TiffHandle) throws(ImagingError) -> [[UInt64]] {
        guard !first.subIFDs.isEmpty else { return [] }
        var all = [first.subIFDs]
        for page in 1...2 {
            try handle.select(.page(page))
            all.append(try handle.directoryFields().subIFDs)
        }
        return all
    }
}
