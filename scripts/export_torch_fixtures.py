"""Export the small random-weight ONNX models the converter tests use (tests/fixtures/onnx/).

Needs PyTorch (only here, never in the library or the tests): ``pip install torch`` then
``python scripts/export_torch_fixtures.py``. Weights and batch-norm statistics are seeded, so
re-running gives the same models. Each file stays well under 2 MB.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch
from torch import nn

OUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "onnx"


def conv_bn(cin, cout, k=3, s=1, groups=1, act=nn.ReLU6):
    return nn.Sequential(
        nn.Conv2d(cin, cout, k, s, k // 2, groups=groups, bias=False),
        nn.BatchNorm2d(cout),
        act() if act else nn.Identity(),
    )


class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, stride, expand):
        super().__init__()
        hidden = cin * expand
        self.residual = stride == 1 and cin == cout
        self.body = nn.Sequential(
            conv_bn(cin, hidden, 1),
            conv_bn(hidden, hidden, 3, stride, groups=hidden),
            conv_bn(hidden, cout, 1, act=None),
        )

    def forward(self, x):
        y = self.body(x)
        return x + y if self.residual else y


class MobileNetV2ish(nn.Module):
    """Stem, inverted residual blocks (expand / depthwise / project), head, classifier."""

    def __init__(self, classes=10):
        super().__init__()
        cfg = [(16, 1, 1), (24, 2, 4), (24, 1, 4), (32, 2, 4), (32, 1, 4), (64, 2, 4)]
        layers, cin = [conv_bn(3, 16, 3, 2)], 16
        for cout, stride, expand in cfg:
            layers.append(InvertedResidual(cin, cout, stride, expand))
            cin = cout
        layers.append(conv_bn(cin, 128, 1))
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(128, classes))

    def forward(self, x):
        return self.classifier(torch.flatten(self.pool(self.features(x)), 1))


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1 = conv_bn(cin, cout, 3, stride, act=nn.ReLU)
        self.c2 = conv_bn(cout, cout, 3, 1, act=None)
        self.down = None
        if stride != 1 or cin != cout:
            self.down = conv_bn(cin, cout, 1, stride, act=None)
        self.relu = nn.ReLU()

    def forward(self, x):
        skip = x if self.down is None else self.down(x)
        return self.relu(self.c2(self.c1(x)) + skip)


class ResNet18ish(nn.Module):
    """ResNet-18 layout (7x7 stem, max pool, 4 stages of 2 basic blocks), reduced widths."""

    def __init__(self, widths=(16, 32, 48, 64), classes=10):
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv2d(3, widths[0], 7, 2, 3, bias=False),
            nn.BatchNorm2d(widths[0]),
            nn.ReLU(),
            nn.MaxPool2d(3, 2, 1),
        )
        blocks, cin = [], widths[0]
        for i, w in enumerate(widths):
            blocks += [BasicBlock(cin, w, 1 if i == 0 else 2), BasicBlock(w, w, 1)]
            cin = w
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(cin, classes)

    def forward(self, x):
        x = self.blocks(self.stem(x))
        return self.fc(x.mean((2, 3)).reshape(x.shape[0], -1))


class SelfAttention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads, self.dh = heads, dim // heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.out = nn.Linear(dim, dim)

    def forward(self, x):
        b, s, d = x.shape
        q, k, v = self.qkv(x).split(d, dim=-1)
        q, k, v = (t.reshape(b, s, self.heads, self.dh).transpose(1, 2) for t in (q, k, v))
        att = torch.softmax(q @ k.transpose(-2, -1) / self.dh**0.5, dim=-1)
        return self.out((att @ v).transpose(1, 2).reshape(b, s, d))


class EncoderLayer(nn.Module):
    def __init__(self, dim, heads, hidden):
        super().__init__()
        self.n1, self.n2 = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.att = SelfAttention(dim, heads)
        self.mlp = nn.Sequential(nn.Linear(dim, hidden), nn.GELU(), nn.Linear(hidden, dim))

    def forward(self, x):
        x = x + self.att(self.n1(x))
        return x + self.mlp(self.n2(x))


class TinyTransformer(nn.Module):
    """Pre-norm encoder (multi-head attention, LayerNorm, erf-GELU MLP), mean-pooled head."""

    def __init__(self, dim=32, heads=4, hidden=64, layers=2, seq=16, classes=5):
        super().__init__()
        self.pos = nn.Parameter(torch.randn(1, seq, dim) * 0.1)
        self.layers = nn.Sequential(*[EncoderLayer(dim, heads, hidden) for _ in range(layers)])
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, classes)

    def forward(self, x):
        return self.head(self.norm(self.layers(x + self.pos)).mean(1))


class AudioConv1d(nn.Module):
    """Keyword-spotting style 1-D CNN over 40 mel bands x 101 frames."""

    def __init__(self, mels=40, classes=12):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv1d(mels, 32, 5, 2, 2), nn.BatchNorm1d(32), nn.ReLU(),
            nn.Conv1d(32, 32, 3, 1, 2, dilation=2, groups=32), nn.Conv1d(32, 48, 1),
            nn.BatchNorm1d(48), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(48, 64, 3, 1, 1), nn.ReLU(), nn.AvgPool1d(2),
            nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Linear(64, classes),
        )  # fmt: skip

    def forward(self, x):
        return self.net(x)


class ConvNeXtBlock(nn.Module):
    """Depthwise 7x7, then channels-last LayerNorm and MLP via permutes (ConvNeXt style)."""

    def __init__(self, c):
        super().__init__()
        self.dw = nn.Conv2d(c, c, 7, padding=3, groups=c)
        self.norm = nn.LayerNorm(c)
        self.mlp = nn.Sequential(nn.Linear(c, 4 * c), nn.GELU(), nn.Linear(4 * c, c))

    def forward(self, x):
        return x + self.mlp(self.norm(self.dw(x).permute(0, 2, 3, 1))).permute(0, 3, 1, 2)


class TinyUNet(nn.Module):
    """Encoder/decoder: SiLU, Hardswish, a ConvNeXt block, ConvTranspose, PixelShuffle,
    bilinear and nearest upsampling, channel slices, skip concat, sigmoid mask."""

    def __init__(self):
        super().__init__()
        self.enc1 = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.SiLU())
        self.enc2 = nn.Sequential(nn.Conv2d(16, 32, 3, 2, 1), nn.Hardswish(), ConvNeXtBlock(32))
        self.up = nn.ConvTranspose2d(32, 16, 2, 2)
        self.shuffle = nn.Sequential(nn.Conv2d(32, 64, 1), nn.PixelShuffle(2))
        self.out = nn.Conv2d(48, 2, 1)

    def forward(self, x):
        a = self.enc1(x)
        b = self.enc2(a)
        up = nn.functional.interpolate
        lin = up(b, scale_factor=2, mode="bilinear", align_corners=False)[:, :16]
        near = up(b, scale_factor=2, mode="nearest")[:, 16:]
        y = torch.cat([self.up(b) + a, self.shuffle(b) * lin, near], 1)
        return torch.sigmoid(self.out(y))


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.Tanh(), nn.Linear(64, 10),
            nn.Softmax(dim=-1),
        )  # fmt: skip

    def forward(self, x):
        return self.net(x)


# name -> (model, input shape, opset, dynamic batch)
MODELS = {
    "mobilenet_v2_tiny": (MobileNetV2ish, (1, 3, 96, 96), 13, True),
    "resnet18_tiny": (ResNet18ish, (1, 3, 64, 64), 17, False),
    "transformer_tiny": (TinyTransformer, (1, 16, 32), 17, False),
    "audio_conv1d": (AudioConv1d, (1, 40, 101), 15, False),
    "mlp": (MLP, (1, 64), 11, True),
    "unet_tiny": (TinyUNet, (1, 3, 32, 32), 17, False),
}


def randomize_batch_norms(model: nn.Module, gen: torch.Generator) -> None:
    """Non-trivial running statistics and affine parameters, so folding them is tested."""
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            c = m.num_features
            m.running_mean.copy_(torch.randn(c, generator=gen) * 0.1)
            m.running_var.copy_(torch.rand(c, generator=gen) + 0.5)
            m.weight.data.copy_(torch.rand(c, generator=gen) + 0.5)
            m.bias.data.copy_(torch.randn(c, generator=gen) * 0.1)


def export(name: str, out_dir: Path) -> Path:
    cls, shape, opset, dynamic = MODELS[name]
    torch.manual_seed(0)
    model = cls().eval()
    randomize_batch_norms(model, torch.Generator().manual_seed(1))
    path = out_dir / f"{name}.onnx"
    axes = {"input": {0: "batch"}, "output": {0: "batch"}} if dynamic else None
    torch.onnx.export(
        model,
        (torch.randn(*shape),),
        str(path),
        input_names=["input"],
        output_names=["output"],
        opset_version=opset,
        dynamic_axes=axes,
        do_constant_folding=True,
        dynamo=False,
    )
    return path


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", default=sorted(MODELS), help="models to export")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name in args.names:
        path = export(name, args.out)
        print(f"{path}: {path.stat().st_size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
