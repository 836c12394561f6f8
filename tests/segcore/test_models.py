"""Every registry architecture builds offline, runs forward + backward, returns logits at the
input resolution; the pieces written here behave as published."""

from __future__ import annotations

import warnings

import pytest
import torch
from torch import nn

from segcore.models import backbones
from segcore.models.registry import MODEL_NAMES, allowed_kwargs, build_model, main_output

EXPECTED = [
    "unet", "deeplabv3_resnet50", "deeplabv3_resnet101", "deeplabv3_mobilenet_v3_large",
    "deeplabv3plus_resnet50", "deeplabv3plus_resnet101", "deeplabv3plus_mobilenet_v3_large",
    "fcn_resnet50", "fcn8s_vgg16", "pspnet_resnet50", "segnet_vgg16", "lraspp_mobilenet_v3_large",
]
# Small but real configurations (the architecture is unchanged; only widths shrink).
SMALL = {"unet": {"base_channels": 8, "depth": 3}, "fcn8s_vgg16": {"fc_channels": 128}}


def test_registry_names_are_exactly_the_issue_list():
    assert MODEL_NAMES == EXPECTED


@pytest.mark.parametrize("name", EXPECTED)
def test_forward_backward_every_architecture(name):
    torch.manual_seed(0)
    model = build_model(name, 4, **SMALL.get(name, {}))
    model.train()
    x = torch.randn(2, 3, 64, 64)
    y = model(x)
    logits = main_output(y)
    assert logits.shape == (2, 4, 64, 64)
    loss = nn.functional.cross_entropy(logits, torch.randint(0, 4, (2, 64, 64)))
    if isinstance(y, dict):
        assert y["aux"].shape == (2, 4, 64, 64)
        loss = loss + 0.4 * nn.functional.cross_entropy(y["aux"], torch.randint(0, 4, (2, 64, 64)))
    loss.backward()
    grads = [p.grad for p in model.parameters() if p.requires_grad]
    assert all(g is not None for g in grads), "some parameter took no part in the loss"
    assert sum(float(g.abs().sum()) for g in grads) > 0
    model.eval()
    with torch.no_grad():
        out = model(torch.randn(1, 3, 48, 80))
    assert isinstance(out, torch.Tensor) and out.shape == (1, 4, 48, 80)


@pytest.mark.parametrize("name", ["unet", "fcn8s_vgg16", "segnet_vgg16", "deeplabv3plus_mobilenet_v3_large"])
def test_sizes_not_divisible_by_32(name):
    model = build_model(name, 3, **SMALL.get(name, {})).eval()
    with torch.no_grad():
        assert model(torch.randn(1, 3, 67, 101)).shape == (1, 3, 67, 101)


@pytest.mark.parametrize("name", ["deeplabv3plus_mobilenet_v3_large", "deeplabv3_mobilenet_v3_large",
                                  "pspnet_resnet50"])
def test_batch_of_one_trains(name):
    """Plain BatchNorm raises on the 1x1 image-pooling map with one image; ours does not."""
    model = build_model(name, 2).train()
    main_output(model(torch.randn(1, 3, 64, 64))).sum().backward()


def test_mobilenet_batchnorm_momentum_is_sane():
    for name in ("deeplabv3plus_mobilenet_v3_large", "deeplabv3_mobilenet_v3_large", "lraspp_mobilenet_v3_large"):
        bns = [m for m in build_model(name, 2).modules() if isinstance(m, nn.BatchNorm2d)]
        assert bns and all(m.momentum == pytest.approx(0.1) for m in bns), name


@pytest.mark.parametrize("backbone", ["resnet50", "mobilenet_v3_large"])
def test_deeplabv3plus_output_stride(backbone):
    """Features at the stated stride; ASPP rates 6/12/18 at OS16, doubled at OS8."""
    for os_, rates in ((16, [6, 12, 18]), (8, [12, 24, 36])):
        model = build_model(f"deeplabv3plus_{backbone}", 2, output_stride=os_).eval()
        with torch.no_grad():
            feats = model.backbone(torch.randn(1, 3, 128, 128))
            low, high = feats["low"], feats["high"]
        assert low.shape[-1] == 128 // 4
        assert high.shape[-1] == 128 // os_
        assert [b[0].dilation[0] for b in model.aspp.branches[1:]] == rates
        assert model.reduce[0].out_channels == 48
        assert all(b[0].groups == b[0].in_channels for b in model.aspp.branches[1:])  # depthwise
    with pytest.raises(ValueError, match="output_stride"):
        build_model(f"deeplabv3plus_{backbone}", 2, output_stride=32)


def test_deeplabv3plus_head_width(tmp_path):
    """``head_channels`` sets ASPP's and the decoder's width; a checkpoint rebuilds it."""
    from segcore.checkpoint import load_checkpoint, save_checkpoint

    model = build_model("deeplabv3plus_mobilenet_v3_large", 3, head_channels=128).eval()
    assert model.aspp.project[0].out_channels == 128 and model.classifier.in_channels == 128
    assert model.decoder[0][0].in_channels == 128 + 48
    standard = build_model("deeplabv3plus_mobilenet_v3_large", 3)
    assert standard.classifier.in_channels == 256
    assert sum(p.numel() for p in model.parameters()) < sum(p.numel() for p in standard.parameters())
    with torch.no_grad():
        assert model(torch.randn(1, 3, 96, 64)).shape == (1, 3, 96, 64)
    path = tmp_path / "m.pt"
    save_checkpoint(path, model, arch="deeplabv3plus_mobilenet_v3_large", arch_kwargs={"head_channels": 128},
                    class_names=["a", "b", "c"])
    again = load_checkpoint(path).model
    assert again.classifier.in_channels == 128
    with pytest.raises(ValueError, match="head_channels"):
        build_model("deeplabv3plus_resnet50", 2, head_channels=4)
    with pytest.raises(ValueError, match="aux must be true or false"):
        build_model("deeplabv3plus_mobilenet_v3_large", 2, aux="False")  # a string is not a switch


@pytest.mark.parametrize("backbone", ["mobilenet_v3_large", "resnet50"])
def test_deeplabv3plus_aux_head_trains_and_leaves_the_prediction_alone(backbone, tmp_path):
    """With ``aux`` the train-mode output adds aux logits that gradients flow through; in eval
    mode the output is the model's without the head, and a checkpoint rebuilds it."""
    from segcore.checkpoint import load_checkpoint, save_checkpoint

    name = f"deeplabv3plus_{backbone}"
    torch.manual_seed(0)
    model = build_model(name, 3, aux=True).train()
    y = model(torch.randn(2, 3, 64, 48))
    assert set(y) == {"out", "aux"} and y["aux"].shape == y["out"].shape == (2, 3, 64, 48)
    nn.functional.cross_entropy(y["aux"], torch.randint(0, 3, (2, 64, 48))).backward()
    assert float(model.aux[0][0].weight.grad.abs().sum()) > 0
    assert model.classifier.weight.grad is None  # the aux loss does not reach the main head
    model.eval()
    plain = build_model(name, 3).eval()
    plain.load_state_dict({k: v for k, v in model.state_dict().items() if not k.startswith("aux.")})
    x = torch.randn(1, 3, 48, 80)
    with torch.no_grad():
        assert torch.equal(model(x), plain(x))
    path = tmp_path / "aux.pt"
    save_checkpoint(path, model, arch=name, arch_kwargs={"aux": True}, class_names=["a", "b", "c"])
    again = load_checkpoint(path).model
    with torch.no_grad():
        assert torch.equal(again(x), model(x))


def test_a_new_training_run_gives_an_aux_head_where_the_architecture_has_one():
    from segcore.models.registry import training_kwargs

    name = "deeplabv3plus_mobilenet_v3_large"
    assert training_kwargs(name, {}, True) == {"aux": True}
    assert training_kwargs(name, {"head_channels": 128}, False) == {"head_channels": 128, "aux": False}
    assert training_kwargs(name, {"aux": False}, True) == {"aux": False}  # the person's choice stands
    assert training_kwargs("pspnet_resnet50", {}, False) == {"aux": False}
    assert training_kwargs("unet", {"depth": 3}, True) == {"depth": 3}  # no aux argument: unchanged
    assert training_kwargs("deeplabv3_resnet50", {}, True) == {}


def test_fcn8s_upsamplers_start_bilinear():
    model = build_model("fcn8s_vgg16", 2, fc_channels=64)
    x = torch.rand(1, 2, 5, 7)
    up = model.up2(x)
    ref = nn.functional.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)
    assert up.shape == (1, 2, 10, 14)
    # interior pixels equal bilinear interpolation (borders differ by zero padding)
    assert torch.allclose(up[..., 1:-1, 1:-1], ref[..., 1:-1, 1:-1], atol=1e-5)
    assert model.up8.stride == (8, 8) and model.up8.kernel_size == (16, 16)


def test_segnet_unpools_at_the_recorded_indices():
    model = build_model("segnet_vgg16", 2)
    assert isinstance(model.unpool, nn.MaxUnpool2d) and model.pool.return_indices
    convs = [m for m in model.encoder.modules() if isinstance(m, nn.Conv2d)]
    assert len(convs) == 13


def test_pspnet_pyramid_bins_and_aux():
    model = build_model("pspnet_resnet50", 3)
    assert [s[0].output_size for s in model.ppm.stages] == [1, 2, 3, 6]
    assert build_model("pspnet_resnet50", 3, aux=False).train()(torch.randn(2, 3, 64, 64)).shape == (2, 3, 64, 64)


def test_unet_depth_width_and_resnet_encoder():
    model = build_model("unet", 2, depth=2, base_channels=4)
    assert model.inc[0][0].out_channels == 4 and len(model.down) == 2
    res = build_model("unet", 2, encoder="resnet18").eval()
    with torch.no_grad():
        assert res(torch.randn(1, 3, 64, 96)).shape == (1, 2, 64, 96)


def test_torchvision_models_with_aux_return_a_dict_in_train_only():
    model = build_model("fcn_resnet50", 3, aux_loss=True).train()
    y = model(torch.randn(2, 3, 64, 64))
    assert set(y) == {"out", "aux"}
    assert isinstance(model.eval()(torch.randn(1, 3, 64, 64)), torch.Tensor)


def test_bad_names_and_arguments_are_refused():
    with pytest.raises(ValueError, match="unknown architecture 'resnet'.*unet"):
        build_model("resnet", 2)
    with pytest.raises(ValueError, match="does not take depthh.*depth"):
        build_model("unet", 2, depthh=3)
    with pytest.raises(ValueError, match="num_classes"):
        build_model("unet", 0)
    assert "output_stride" in allowed_kwargs("deeplabv3plus_resnet101")


def test_pretrained_backbone_offline_warns_once_and_builds(monkeypatch, tmp_path):
    """No network in tests: the download is made to fail; one clear warning, random init."""
    import torchvision.models._api as tv_api

    def offline(*a, **k):
        raise OSError("no internet")

    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    monkeypatch.setattr(tv_api, "load_state_dict_from_url", offline)
    monkeypatch.setattr(backbones, "_warned", set())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        m1 = build_model("lraspp_mobilenet_v3_large", 2, pretrained_backbone=True)
        build_model("deeplabv3plus_mobilenet_v3_large", 2, pretrained_backbone=True)
    msgs = [w for w in caught if issubclass(w.category, backbones.PretrainedUnavailableWarning)]
    assert len(msgs) == 1
    assert "mobilenet_v3_large" in str(msgs[0].message) and "randomly initialised" in str(msgs[0].message)
    assert m1.eval()(torch.randn(1, 3, 32, 32)).shape == (1, 2, 32, 32)
