"""The forward call of a :class:`segcore.inference.predict.Predictor`, pluggable: a PyTorch
module (:class:`TorchRunner`) or an onnxruntime session (:class:`OrtRunner`).

A runner takes a normalised float32 batch ``(N, 3, H, W)`` (H, W already padded to the input
policy's divisor) and returns float32 logits ``(N, C, H, W)`` as a torch tensor; tiling, input
policy, label map and confidence stay the Predictor's, whichever engine runs. A runner with
``has_maps`` also gives the label map and confidence themselves (:meth:`OrtRunner.maps`: an ONNX
graph that computes them after the logits, on onnxruntime's threads).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch


class TorchRunner:
    """Eager PyTorch on ``device`` (fp16 autocast on CUDA when ``amp``)."""

    engine = "torch"
    has_maps = False

    def __init__(self, model: torch.nn.Module, device: torch.device, amp: bool = True) -> None:
        self.device = device
        self.model = model.to(device).eval()
        self.amp = bool(amp) and device.type == "cuda"

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        # Only the input goes channels-last (the model's weights are left as they are, so a
        # model shared with training is not changed): oneDNN / cuDNN convolutions run faster
        # on NHWC input (measured on CPU: DeepLabV3+-MobileNetV3 610 vs 656 ms, U-Net 4.7 vs
        # 6.2 s at 1024x768, same outputs to 1e-7).
        x = x.contiguous(memory_format=torch.channels_last)
        with torch.inference_mode(), torch.autocast(self.device.type, dtype=torch.float16, enabled=self.amp):
            y = self.model(x)
        if isinstance(y, dict):
            y = y["out"]
        return y.float()

    def describe(self) -> str:
        return f"{self.device}{' fp16' if self.amp else ''}, PyTorch"


class OrtRunner:
    """An onnxruntime ``InferenceSession`` (built once, reused for every batch); inputs and
    outputs pass through host memory, so the Predictor's tensors stay on the CPU."""

    engine = "onnxruntime"
    device = torch.device("cpu")
    amp = False

    def __init__(self, session: Any) -> None:
        from segcore.inference.onnx_export import CONFIDENCE_OUTPUT, LABEL_OUTPUT

        self.session = session
        self.input_name = session.get_inputs()[0].name
        outputs = [o.name for o in session.get_outputs()]
        self.output_name = outputs[0]
        self.map_names = [LABEL_OUTPUT, CONFIDENCE_OUTPUT]
        self.has_maps = all(n in outputs for n in self.map_names)
        provider = (session.get_providers() or ["CPUExecutionProvider"])[0]
        self.provider = provider.removesuffix("ExecutionProvider").lower()

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        arr = x.detach().to("cpu").contiguous().numpy()
        y = self.session.run([self.output_name], {self.input_name: arr})[0]
        return torch.from_numpy(y).float()

    def maps(self, x: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
        """Label map ``(N, H, W)`` (uint8, int32 past 256 classes) and confidence ``(N, H, W)``
        float32 (max softmax probability) of a normalised batch, from the graph's own outputs
        (only when ``has_maps``)."""
        arr = x.detach().to("cpu").contiguous().numpy()
        label, conf = self.session.run(self.map_names, {self.input_name: arr})
        return label, conf

    def describe(self) -> str:
        return f"{self.provider}, ONNX Runtime"


class RunnerModule(torch.nn.Module):
    """A runner as a ``torch.nn.Module`` (``module(x)`` -> logits), for code written against
    modules, such as the evaluation loop."""

    def __init__(self, runner: TorchRunner | OrtRunner) -> None:
        super().__init__()
        self.runner = runner

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.runner(x)


__all__ = ["OrtRunner", "RunnerModule", "TorchRunner"]
