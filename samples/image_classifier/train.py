"""Regenerate the digits classifier's committed files (needs torch==2.13.0 and scikit-learn).

    pip install torch==2.13.0 scikit-learn && python samples/image_classifier/train.py

Trains a small CNN on scikit-learn's bundled 8x8 ``digits`` images (1797 images, 10 classes),
then writes next to this file:

- ``digits_cnn.onnx``: the trained model (opset 17), input ``image`` [1, 1, 8, 8] float in [0, 1],
  output ``logits`` [1, 10];
- ``digits_calibration.npz``: ``image`` [100, 8, 8, 1] float32, training images for int8
  calibration (NHWC, as the converted .tflite takes them);
- ``digits_test.npz``: ``images`` [300, 8, 8, 1] float32 and ``labels`` [300] int64, held out.

Never imported by the package or the tests; run it only to change the committed model.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from sklearn.datasets import load_digits
from torch import nn

HERE = Path(__file__).resolve().parent
SEED = 0
N_TEST, N_CALIBRATION = 300, 100


class DigitsCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),  # 8x8 -> 4x4
            nn.Conv2d(32, 32, 3, padding=1),
            nn.ReLU(),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(32 * 4 * 4, 128), nn.ReLU(), nn.Linear(128, 10)
        )

    def forward(self, x):
        return self.classifier(self.features(x))


def split():
    digits = load_digits()
    x = (digits.images / 16.0).astype(np.float32)[:, None]  # N, 1, 8, 8 in [0, 1]
    y = digits.target.astype(np.int64)
    order = np.random.default_rng(SEED).permutation(len(x))
    test, train = order[:N_TEST], order[N_TEST:]
    return x[train], y[train], x[test], y[test]


def train(x, y, epochs: int = 40) -> nn.Module:
    torch.manual_seed(SEED)
    model = DigitsCNN()
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    rng = np.random.default_rng(SEED)
    for _ in range(epochs):
        model.train()
        for batch in np.array_split(rng.permutation(len(x)), len(x) // 64):
            xb = xt[batch]
            # small random shifts: a model that generalizes, not one that memorizes pixels
            dx, dy = rng.integers(-1, 2, size=2)
            xb = torch.roll(xb, shifts=(int(dy), int(dx)), dims=(2, 3))
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(xb), yt[batch])
            loss.backward()
            opt.step()
    return model.eval()


def main() -> None:
    x_train, y_train, x_test, y_test = split()
    model = train(x_train, y_train)
    with torch.no_grad():
        acc = (model(torch.from_numpy(x_test)).argmax(1).numpy() == y_test).mean()
    print(f"test accuracy {acc:.4f} on {len(y_test)} held-out images")
    torch.onnx.export(
        model,
        torch.zeros(1, 1, 8, 8),
        str(HERE / "digits_cnn.onnx"),
        input_names=["image"],
        output_names=["logits"],
        opset_version=17,
        dynamo=False,
    )
    nhwc = lambda a: np.ascontiguousarray(a.transpose(0, 2, 3, 1))  # noqa: E731
    calib = np.random.default_rng(SEED + 1).choice(len(x_train), N_CALIBRATION, replace=False)
    np.savez_compressed(HERE / "digits_calibration.npz", image=nhwc(x_train[calib]))
    np.savez_compressed(HERE / "digits_test.npz", images=nhwc(x_test), labels=y_test)
    print(f"wrote {HERE / 'digits_cnn.onnx'} and the calibration / test .npz files")


if __name__ == "__main__":
    main()
