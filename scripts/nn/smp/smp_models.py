"""Shared helpers of the smp cross-check scripts: build an smp model the way
pipe names it, randomise it (including batch norm running statistics, so
eval-mode batch norm is really exercised), and move state dicts through
safetensors with PyTorch's own dtypes."""
import torch
import segmentation_models_pytorch as smp

ENCODERS = ["resnet18", "resnet34"] + [f"efficientnet-b{i}" for i in range(8)]
ARCHS = {"unet": smp.Unet, "linknet": smp.Linknet}


def build(arch, encoder, depth=5, decoder_channels=None):
    """The smp model pipe mirrors: classes 1, in_channels 3, no pretrained weights."""
    kwargs = dict(encoder_name=encoder, encoder_weights=None, encoder_depth=depth, classes=1, in_channels=3)
    if arch == "unet":
        kwargs["decoder_channels"] = tuple(decoder_channels or (256, 128, 64, 32, 16)[:depth])
    return ARCHS[arch](**kwargs)


def add_model_arguments(ap):
    """The model options the cross-check scripts share: --arch, --encoder,
    --depth and --decoder-channels (comma-separated)."""
    ap.add_argument("--arch", required=True, choices=sorted(ARCHS))
    ap.add_argument("--encoder", required=True)
    ap.add_argument("--depth", type=int, default=5)
    ap.add_argument("--decoder-channels", default=None)


def build_from_arguments(args):
    """`build` with the options `add_model_arguments` parsed."""
    channels = [int(c) for c in args.decoder_channels.split(",")] if args.decoder_channels else None
    return build(args.arch, args.encoder, args.depth, channels)


def randomise(model, seed):
    """Deterministic random weights, batch norm affine and running stats, and
    num_batches_tracked counters, so every kind of state is compared."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() > 1:
                fan_in = p[0].numel()
                p.copy_(torch.randn(p.shape, generator=g) * (1.0 / fan_in) ** 0.5)
            elif name.endswith("weight"):
                p.copy_(1 + 0.2 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(0.1 * torch.randn(p.shape, generator=g))
        for name, b in model.named_buffers():
            if name.endswith("running_mean"):
                b.copy_(0.1 * torch.randn(b.shape, generator=g))
            elif name.endswith("running_var"):
                b.copy_(0.5 + torch.rand(b.shape, generator=g))
            elif name.endswith("num_batches_tracked"):
                b.fill_(int(torch.randint(0, 1000, (1,), generator=g)))
    return model


def state_dict_for_export(model):
    """The state dict as safetensors wants it: contiguous, owned tensors."""
    return {k: v.detach().contiguous().clone() for k, v in model.state_dict().items()}
