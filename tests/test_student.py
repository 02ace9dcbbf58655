"Student save/load, layer pruning and the embedding cache (MiniLM only, small inputs)."
import json, os
import numpy as np, pytest, torch
from hpd_nb.student import HPDStudent
from hpd_nb.encoding import SentenceEncoder, cached_encode, embedding_cache_path
from hpd_nb.hpd import fit_pca_projection

SENTS = ['A man is playing a guitar.', 'The cat sat on the mat.', 'Stocks fell sharply on Monday.',
         'Two dogs run through a field.', 'Hi', 'A woman is slicing an onion in the kitchen with a big knife.']

@pytest.fixture(scope='module')
def encoder(): return SentenceEncoder('all-MiniLM-L6-v2', device='cpu')

class Counting:
    "Wraps an encoder and counts `encode` calls."
    def __init__(self, enc): self.enc, self.calls = enc, 0
    def cache_identity(self): return self.enc.cache_identity()
    def encode(self, s, **kw): self.calls += 1; return self.enc.encode(s, **kw)

def test_save_load_matches_sentence_transformers(tmp_path):
    from sentence_transformers import SentenceTransformer
    st = HPDStudent('all-MiniLM-L6-v2', dim=32, seed=1)
    ours = st.encode(SENTS, show_progress=False)
    assert ours.shape == (6, 32) and ours.dtype == np.float32
    st.save(tmp_path/'m')
    ref = SentenceTransformer(str(tmp_path/'m'), device='cpu').encode(SENTS)
    assert np.allclose(ref, ours, atol=1e-5)
    back = HPDStudent.load(tmp_path/'m')
    assert back.dim == 32 and np.allclose(back.encode(SENTS, show_progress=False), ours, atol=1e-6)

def test_three_layer_student(tmp_path):
    st = HPDStudent('all-MiniLM-L6-v2', dim=16, keep_layers=3)
    assert st.n_layers == 3 and len(st.backbone.encoder.layer) == 3 and st.kept_layers == [0, 2, 5]
    batch = st.tokenize(SENTS[:2])
    assert st(**batch).shape == (2, 16)
    emb = st.encode(SENTS, show_progress=False)
    assert emb.shape == (6, 16) and np.isfinite(emb).all()
    st.save(tmp_path/'s3')
    assert json.loads((tmp_path/'s3'/'config.json').read_text())['num_hidden_layers'] == 3
    back = HPDStudent.load(tmp_path/'s3')
    assert back.n_layers == 3 and np.allclose(back.encode(SENTS, show_progress=False), emb, atol=1e-6)

def test_ridge_init_beats_random(encoder):
    t = encoder.encode(SENTS * 3, show_progress=False)
    y = fit_pca_projection(t, dim=4).project(t)
    st = HPDStudent('all-MiniLM-L6-v2', dim=4)
    err = lambda: float(((st.encode(SENTS * 3, show_progress=False) - y)**2).mean())
    e_rand = err(); st.init_projection('ridge', SENTS * 3, y)
    assert err() < e_rand / 10

def test_cache_reuse_and_invalidation(encoder, tmp_path):
    enc = Counting(encoder)
    a = cached_encode(enc, SENTS, tmp_path, show_progress=False)
    path = embedding_cache_path(encoder, SENTS, tmp_path)
    mtime = path.stat().st_mtime_ns
    b = cached_encode(enc, SENTS, tmp_path, show_progress=False)      # re-run: loaded from disk
    assert enc.calls == 1 and path.stat().st_mtime_ns == mtime and np.array_equal(a, b)
    cached_encode(enc, SENTS[:-1] + ['Something else entirely.'], tmp_path, show_progress=False)  # changed text
    assert enc.calls == 2
    r = cached_encode(enc, SENTS[::-1], tmp_path, show_progress=False)   # same texts, other order: read, rows in the asked order
    assert enc.calls == 2 and np.array_equal(r, a[::-1])
    old = encoder.max_seq_length
    try:
        encoder.max_seq_length = 8                                   # changed setting
        assert embedding_cache_path(encoder, SENTS, tmp_path) != path
        c = cached_encode(enc, SENTS, tmp_path, show_progress=False)
    finally: encoder.max_seq_length = old
    assert enc.calls == 3 and not np.allclose(c, a)
    path.write_bytes(b'not a numpy file')                            # corrupted entry: recomputed and rewritten
    with pytest.warns(UserWarning, match='recomputing'):
        d = cached_encode(enc, SENTS, tmp_path, show_progress=False)
    assert enc.calls == 4 and np.allclose(d, a, atol=1e-6) and np.load(path).shape == d.shape
    assert np.array_equal(cached_encode(enc, SENTS, tmp_path, show_progress=False), d) and enc.calls == 4
    assert not [p for p in os.listdir(tmp_path) if not p.endswith('.npy')]

def test_bad_sentences(encoder):
    with pytest.raises(ValueError, match=r"Sentence 1 is empty"): encoder.encode(['ok', ' \t'], show_progress=False)
    with pytest.raises(ValueError, match=r"Sentence 0 is not a string: 3"): cached_encode(encoder, [3])
