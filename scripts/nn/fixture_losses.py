"""Loss references for make_fixtures.py.

bce_jaccard / bce_dice follow the Keras `segmentation_models` library
(qubvel): loss = binary_crossentropy + (1 - score), with
score = jaccard (iou) or dice (f_score, beta = 1), smooth = 1e-5, computed on
probabilities (sigmoid of the logits); per_image=False sums over the batch
and the spatial axes per channel, per_image=True per image then averages;
channels are averaged. Lovász hinge follows Berman et al.'s lovasz_losses.py.
"""
import torch
import torch.nn.functional as F

SMOOTH = 1e-5


def _axes(per_image):
    return (2, 3) if per_image else (0, 2, 3)


def jaccard_score(p, t, per_image=False, smooth=SMOOTH):
    inter = (p * t).sum(_axes(per_image))
    union = p.sum(_axes(per_image)) + t.sum(_axes(per_image)) - inter
    return ((inter + smooth) / (union + smooth)).mean()


def dice_score(p, t, per_image=False, smooth=SMOOTH):
    tp = (p * t).sum(_axes(per_image))
    return ((2 * tp + smooth) / (p.sum(_axes(per_image)) + t.sum(_axes(per_image)) + smooth)).mean()


def lovasz_grad(gt_sorted):
    gts = gt_sorted.sum()
    intersection = gts - gt_sorted.cumsum(0)
    union = gts + (1 - gt_sorted).cumsum(0)
    jaccard = 1.0 - intersection / union
    if len(gt_sorted) > 1:
        jaccard[1:] = jaccard[1:] - jaccard[:-1]
    return jaccard


def lovasz_hinge_flat(logits, labels):
    signs = 2.0 * labels - 1.0
    errors = 1.0 - logits * signs
    errors_sorted, perm = torch.sort(errors, dim=0, descending=True)
    grad = lovasz_grad(labels[perm])
    return torch.dot(F.relu(errors_sorted), grad)


def lovasz_hinge(logits, labels, per_image=True):
    if per_image:
        return torch.stack([lovasz_hinge_flat(l.reshape(-1), t.reshape(-1)) for l, t in zip(logits, labels)]).mean()
    return lovasz_hinge_flat(logits.reshape(-1), labels.reshape(-1))


def loss_cases(case, rand):
    out = []
    logits = rand(2, 1, 4, 5, lo=-3, hi=3)
    target = (rand(2, 1, 4, 5) > 0.2).double()
    two = rand(2, 2, 3, 3, lo=-3, hi=3)
    target2 = (rand(2, 2, 3, 3) > 0).double()
    bce = F.binary_cross_entropy_with_logits
    specs = [
        ("bce_with_logits", dict(), lambda x, t: bce(x, t)),
        ("soft_dice", dict(per_image=False), lambda x, t: 1 - dice_score(torch.sigmoid(x), t)),
        ("soft_dice_per_image", dict(per_image=True), lambda x, t: 1 - dice_score(torch.sigmoid(x), t, True)),
        ("soft_jaccard", dict(per_image=False), lambda x, t: 1 - jaccard_score(torch.sigmoid(x), t)),
        ("soft_jaccard_per_image", dict(per_image=True), lambda x, t: 1 - jaccard_score(torch.sigmoid(x), t, True)),
        ("bce_jaccard", dict(), lambda x, t: bce(x, t) + 1 - jaccard_score(torch.sigmoid(x), t)),
        ("bce_dice", dict(), lambda x, t: bce(x, t) + 1 - dice_score(torch.sigmoid(x), t)),
        ("lovasz_hinge_per_image", dict(per_image=True), lambda x, t: lovasz_hinge(x, t, True)),
        ("lovasz_hinge", dict(per_image=False), lambda x, t: lovasz_hinge(x, t, False)),
    ]
    for name, params, fn in specs:
        out.append(case(name, name.replace("_per_image", ""), params, {"x": logits, "t": target}, fn))
    out.append(case("soft_jaccard_2ch", "soft_jaccard", dict(per_image=False), {"x": two, "t": target2},
                    lambda x, t: 1 - jaccard_score(torch.sigmoid(x), t)))
    return out
