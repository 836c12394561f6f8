"""Run reports: ``metrics.json``, a readable ``report.md`` and the training curve as PNG.

A run has one score: the validation mIoU of its best checkpoint (``best.pt``) with that
epoch, worded by :func:`best_miou_notice` wherever it is shown (report.md, the training dialog).
The report's tables hold that checkpoint's validation scores; ``metrics.json`` keeps them under
``best`` and the last validation under ``final``.

The curve is drawn with Pillow (no matplotlib): training loss and validation mIoU per epoch,
side by side. All files are written atomically.
"""

from __future__ import annotations

import io
import json
import math
from pathlib import Path

from PIL import Image, ImageDraw

from segcore.io.annotation import atomic_write_bytes
from segcore.messages import QT_TRANSLATE_NOOP, Notice
from segcore.metrics import format_table, nan_to_none


def _finite(v) -> bool:
    return v is not None and isinstance(v, int | float) and math.isfinite(v)


def _panel(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], xs: list[float], ys: list,
           title: str, colour: tuple[int, int, int], y_range: tuple[float, float] | None = None) -> None:
    x0, y0, x1, y1 = box
    pl, pt, pr, pb = x0 + 48, y0 + 24, x1 - 12, y1 - 28
    draw.rectangle((pl, pt, pr, pb), outline=(160, 160, 160))
    draw.text((x0 + 8, y0 + 4), title, fill=(0, 0, 0))
    pts = [(x, y) for x, y in zip(xs, ys) if _finite(y)]
    if not pts:
        draw.text((pl + 8, pt + 8), "no data", fill=(120, 120, 120))
        return
    lo, hi = y_range if y_range else (min(p[1] for p in pts), max(p[1] for p in pts))
    if hi - lo < 1e-12:
        lo, hi = lo - 0.5, hi + 0.5
    xmin, xmax = min(xs), max(xs)
    if xmax - xmin < 1e-12:
        xmin, xmax = xmin - 1, xmax + 1

    def sx(x: float) -> float:
        return pl + (x - xmin) / (xmax - xmin) * (pr - pl)

    def sy(y: float) -> float:
        return pb - (y - lo) / (hi - lo) * (pb - pt)

    for k in range(5):
        v = lo + (hi - lo) * k / 4
        y = sy(v)
        draw.line((pl, y, pr, y), fill=(230, 230, 230))
        draw.text((x0 + 4, y - 6), f"{v:.3g}", fill=(80, 80, 80))
    draw.text((pl, pb + 8), f"{xmin:g}", fill=(80, 80, 80))
    draw.text((pr - 30, pb + 8), f"{xmax:g} epochs", fill=(80, 80, 80))
    line = [(sx(x), sy(y)) for x, y in pts]
    if len(line) > 1:
        draw.line(line, fill=colour, width=2)
    for px, py in line:
        draw.ellipse((px - 2, py - 2, px + 2, py + 2), fill=colour)


def curve_png(history: list[dict], width: int = 800, height: int = 300) -> bytes:
    """PNG bytes: training loss (left) and validation mIoU in % (right) against epochs."""
    img = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    xs = [float(h["epoch"]) for h in history]
    loss = [h.get("train_loss") for h in history]
    miou = [100 * h["val_miou"] if _finite(h.get("val_miou")) else None for h in history]
    _panel(draw, (0, 0, width // 2, height), xs, loss, "training loss", (200, 60, 40))
    _panel(draw, (width // 2, 0, width, height), xs, miou, "validation mIoU (%)", (30, 100, 200))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def _pct(v) -> str:
    return f"{100 * v:.2f}" if _finite(v) else "-"


def best_miou_notice(miou: float | None, epoch: int | None) -> Notice:
    """The run's score as a :class:`~segcore.messages.Notice` (the training dialog shows it
    translated): the validation mIoU of the best checkpoint and its epoch."""
    if not _finite(miou) or epoch is None or epoch < 0:
        return Notice("TrainDialog", QT_TRANSLATE_NOOP("TrainDialog", "best val mIoU - (no validation yet)"))
    return Notice("TrainDialog", QT_TRANSLATE_NOOP("TrainDialog", "best val mIoU {miou}% (epoch {epoch})"),
                  {"miou": _pct(miou), "epoch": epoch})


def best_miou_text(miou: float | None, epoch: int | None) -> str:
    """The run's score in words, e.g. ``best val mIoU 49.00% (epoch 3)`` (report.md; the GUI
    shows the same :func:`best_miou_notice` in the user's language)."""
    return best_miou_notice(miou, epoch).text


def report_markdown(config: dict, metrics: dict, history: list[dict], warnings: list[str], *,
                    best_epoch: int = -1, best_miou: float | None = None, reason: str = "") -> str:
    """The text of ``report.md``: the run's score, the best checkpoint's per-class table, worst
    images, curve, warnings. ``metrics`` are the best checkpoint's validation scores."""
    names = metrics.get("class_names") or [str(i) for i in range(len(metrics["iou"]))]
    score = best_miou_text(metrics.get("miou") if best_miou is None else best_miou, best_epoch)
    lines = [
        f"# Training report: {config.get('model')}",
        "",
        f"Score: **{score}**, the model in `best.pt`.",
        "",
        f"Data: `{config.get('folder')}`. Stopped: {reason or 'completed'} after {len(history)} epochs.",
        "",
        f"Validation scores of `best.pt` (epoch {best_epoch}), computed from one confusion matrix over the "
        "whole validation split (ignore pixels excluded); a class absent from both truth and prediction "
        "shows `-`. The table at the end has every epoch's validation mIoU.",
        "",
        "| metric | value (%) |",
        "|---|---|",
    ]
    for key, label in (("miou", "mIoU"), ("pixel_acc", "pixel accuracy"), ("mean_acc", "mean accuracy"),
                       ("fw_iou", "frequency-weighted IoU"), ("mean_dice", "mean Dice")):
        lines.append(f"| {label} | {_pct(metrics.get(key))} |")
    lines += ["", "## Per class", "", "| class | IoU | accuracy | Dice | pixels |", "|---|---|---|---|---|"]
    for i, n in enumerate(names):
        lines.append(f"| {n} | {_pct(metrics['iou'][i])} | {_pct(metrics['acc'][i])} | "
                     f"{_pct(metrics['dice'][i])} | {metrics['support'][i]} |")
    worst = metrics.get("worst_images") or []
    if worst:
        lines += ["", "## Worst validation images (image mIoU)", ""]
        lines += [f"- `{w['key']}`: {_pct(w['miou'])}" for w in worst]
    lines += ["", "## Training curve", "", "![training curve](curve.png)", ""]
    lines += ["| epoch | train loss | val mIoU (%) | lr |", "|---|---|---|---|"]
    for h in history:
        loss = h.get("train_loss")
        lines.append(f"| {h['epoch']} | {loss:.4f} | {_pct(h.get('val_miou'))} | {h.get('lr', 0):.2e} |"
                     if _finite(loss) else f"| {h['epoch']} | - | {_pct(h.get('val_miou'))} | - |")
    if warnings:
        lines += ["", "## Warnings", ""] + [f"- {w}" for w in warnings]
    lines += ["", "## Confusion matrix (rows = truth, columns = prediction)", "", "```",
              format_table(metrics, names), "```", ""]
    return "\n".join(lines)


def write_report(out: str | Path, config: dict, metrics: dict, history: list[dict], warnings: list[str], *,
                 best_epoch: int = -1, best_miou: float | None = None, final: dict | None = None,
                 reason: str = "") -> dict[str, Path]:
    """Write ``metrics.json``, ``report.md`` and ``curve.png`` into ``out``; returns their paths.

    ``metrics``: the best checkpoint's validation scores (epoch ``best_epoch``); ``final``: the
    last validation's, when it differs."""
    out = Path(out)
    paths = {"metrics": out / "metrics.json", "report": out / "report.md", "curve": out / "curve.png"}
    best_miou = metrics.get("miou") if best_miou is None else best_miou
    doc = {"config": config, "best": metrics, "best_epoch": best_epoch, "best_miou": best_miou,
           "final": final if final is not None else metrics, "reason": reason,
           "history": history, "warnings": warnings}
    atomic_write_bytes(paths["metrics"], json.dumps(nan_to_none(doc), indent=1, default=str).encode())
    text = report_markdown(config, metrics, history, warnings, best_epoch=best_epoch, best_miou=best_miou,
                           reason=reason)
    atomic_write_bytes(paths["report"], text.encode())
    atomic_write_bytes(paths["curve"], curve_png(history))
    return paths
