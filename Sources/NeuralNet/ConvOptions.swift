/// A height/width pair (kernel size, stride, dilation); an integer literal means both.
public struct Size2d: Sendable, Hashable, ExpressibleByIntegerLiteral {
    public var h: Int
    public var w: Int
    public init(_ h: Int, _ w: Int) { self.h = h; self.w = w }
    public init(integerLiteral value: Int) { self.init(value, value) }
}

/// Zero padding on each side of the height and width dimensions.
public struct Padding2d: Sendable, Hashable, ExpressibleByIntegerLiteral {
    public var top, bottom, left, right: Int
    public init(top: Int, bottom: Int, left: Int, right: Int) {
        self.top = top; self.bottom = bottom; self.left = left; self.right = right
    }
    /// The same padding on all four sides (PyTorch's `padding=p`).
    public init(integerLiteral p: Int) { self.init(top: p, bottom: p, left: p, right: p) }
    /// `h` above and below, `w` left and right (PyTorch's `padding=(h, w)`).
    public init(_ h: Int, _ w: Int) { self.init(top: h, bottom: h, left: w, right: w) }
}

/// How a convolution pads: fixed amounts, or TensorFlow's "SAME" (output
/// `ceil(in / stride)`, the extra odd pixel on the bottom/right), which
/// depends on the input size and is resolved at each call, as
/// efficientnet-pytorch's `Conv2dStaticSamePadding`/`Conv2dDynamicSamePadding` do.
public enum ConvPadding: Sendable, Hashable, ExpressibleByIntegerLiteral {
    case explicit(Padding2d)
    case same

    public init(integerLiteral p: Int) { self = .explicit(Padding2d(integerLiteral: p)) }

    /// The concrete padding for an input of `h x w`.
    public func resolve(h: Int, w: Int, kernel: Size2d, stride: Size2d, dilation: Size2d) -> Padding2d {
        switch self {
        case .explicit(let p): return p
        case .same:
            func split(_ size: Int, _ k: Int, _ s: Int, _ d: Int) -> (Int, Int) {
                let out = (size + s - 1) / s
                let total = max((out - 1) * s + (k - 1) * d + 1 - size, 0)
                return (total / 2, total - total / 2)
            }
            let (t, b) = split(h, kernel.h, stride.h, dilation.h)
            let (l, r) = split(w, kernel.w, stride.w, dilation.w)
            return Padding2d(top: t, bottom: b, left: l, right: r)
        }
    }
}

/// Options of `conv2d` (PyTorch's `F.conv2d` keywords, plus TF "same" padding).
public struct Conv2dOptions: Sendable, Hashable {
    public var stride: Size2d
    public var padding: ConvPadding
    public var dilation: Size2d
    /// Input and output channels split into `groups` independent groups;
    /// `groups == inChannels` is a depthwise convolution.
    public var groups: Int

    public init(stride: Size2d = 1, padding: ConvPadding = 0, dilation: Size2d = 1, groups: Int = 1) {
        self.stride = stride; self.padding = padding; self.dilation = dilation; self.groups = groups
    }
}
