"Tests of hpd_nb.trainer: resume after a real SIGKILL, checkpoints of modules with shared weights, input checks."
import json, os, signal, subprocess, sys, textwrap
from pathlib import Path
import pytest, torch
from torch import nn
from torch.utils.data import default_collate
from transformers import BertConfig, BertModel
from hpd_nb.trainer import TrainConfig, train, load_weights, last_checkpoint, save_weights

SCRIPT = textwrap.dedent('''
    import os, signal, sys, torch
    from torch import nn
    from torch.utils.data import default_collate
    from transformers import TrainerCallback
    from hpd_nb.trainer import TrainConfig, train, save_weights
    out, kill_at, result = sys.argv[1], int(sys.argv[2]), sys.argv[3]

    class Kill(TrainerCallback):
        def on_save(self, args, state, control, **kw):
            if state.global_step == kill_at: os.kill(os.getpid(), signal.SIGKILL)  # no cleanup, like an OOM kill

    def data(n, seed):
        x = torch.randn(n, 8, generator=torch.Generator().manual_seed(seed))
        y = torch.tanh(x @ torch.randn(8, 4, generator=torch.Generator().manual_seed(99)))
        return [{'x': a, 'y': b} for a, b in zip(x, y)]
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 32), nn.Tanh(), nn.Dropout(0.2), nn.Linear(32, 4))
    cfg = TrainConfig(output_dir=out, lr=1e-2, batch_size=8, epochs=3, warmup_steps=3, weight_decay=0.01, max_grad_norm=0.5,
                      eval_steps=5, save_steps=5, save_total_limit=2, logging_steps=1, metric_for_best='loss', progress=False)
    dev = data(24, 1)
    res = train(model, data(64, 0), default_collate, lambda m, b: nn.functional.mse_loss(m(b['x']), b['y']), cfg,
                eval_dataset=dev, callbacks=[Kill()])
    save_weights(res.model, result)
    res.history.drop(columns='eval_runtime').to_json(result + '.json')
    with open(result + '.best', 'w') as f: f.write(f'{res.best_metric!r} {os.path.basename(res.best_checkpoint)} {res.global_step}')
''')

def _run(script, out, kill_at, result):
    env = dict(os.environ, OMP_NUM_THREADS='1', HF_HUB_OFFLINE='1', TRANSFORMERS_OFFLINE='1')
    return subprocess.run([sys.executable, str(script), str(out), str(kill_at), str(result)], env=env,
                          capture_output=True, text=True, timeout=300)

def test_resume_after_sigkill_matches_uninterrupted(tmp_path):
    script = tmp_path/'run.py'; script.write_text(SCRIPT)
    a = _run(script, tmp_path/'A', -1, tmp_path/'a.safetensors')
    assert a.returncode == 0, a.stderr[-3000:]
    # 8 steps per epoch, 24 in all: kill right after the step-10 checkpoint, in the middle of epoch 2
    b1 = _run(script, tmp_path/'B', 10, tmp_path/'b.safetensors')
    assert b1.returncode == -signal.SIGKILL, b1.stderr[-3000:]
    runs = list((tmp_path/'B').glob('run-*'))  # checkpoints live in the run's own fingerprint-keyed folder
    assert len(runs) == 1 and last_checkpoint(runs[0]).name == 'checkpoint-10' and not (tmp_path/'b.safetensors').exists()
    b2 = _run(script, tmp_path/'B', -1, tmp_path/'b.safetensors')  # same command again: resumes from checkpoint-10
    assert b2.returncode == 0, b2.stderr[-3000:]
    from safetensors.torch import load_file
    wa, wb = load_file(tmp_path/'a.safetensors'), load_file(tmp_path/'b.safetensors')
    assert wa.keys() == wb.keys()
    for k in wa: assert torch.equal(wa[k], wb[k]), k  # bitwise equal final (best) weights
    ha, hb = json.loads((tmp_path/'a.safetensors.json').read_text()), json.loads((tmp_path/'b.safetensors.json').read_text())
    assert ha == hb  # every logged training loss, lr, grad norm and eval loss
    assert (tmp_path/'a.safetensors.best').read_text() == (tmp_path/'b.safetensors.best').read_text()
    assert (tmp_path/'a.safetensors.best').read_text().endswith(' 24')

class PairModel(nn.Module):
    "Siamese model: one tiny BERT reachable under two names (shared tensors) + Dense head tied to nothing."
    def __init__(self):
        super().__init__()
        self.enc = BertModel(BertConfig(vocab_size=50, hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                                        intermediate_size=32, max_position_embeddings=16))
        self.enc_b = self.enc
        self.head = nn.Linear(16, 3)
    def forward(self, ids):
        return self.head(self.enc(input_ids=ids).last_hidden_state.mean(1))

def _pair_data(n=16, seed=0):
    g = torch.Generator().manual_seed(seed)
    return [{'ids': torch.randint(1, 50, (6,), generator=g), 'y': torch.randn(3, generator=g)} for _ in range(n)]

def _pair_loss(m, b): return nn.functional.mse_loss(m(b['ids']), b['y'])

def test_shared_weights_checkpoint_roundtrip(tmp_path):
    torch.manual_seed(0)
    cfg = TrainConfig(output_dir=str(tmp_path), lr=1e-3, batch_size=4, max_steps=3, save_steps=3, progress=False)
    res = train(PairModel(), _pair_data(), default_collate, _pair_loss, cfg, resume=False)
    ck = Path(res.last_checkpoint)
    assert ck.name == 'checkpoint-3'
    fresh = load_weights(PairModel(), ck/'model.safetensors')
    assert fresh.enc_b is fresh.enc
    for (k, p), q in zip(res.model.state_dict().items(), fresh.state_dict().values()): assert torch.equal(p, q), k
    # resuming a finished run (same initial weights, data and settings) is a no-op that returns the same weights
    torch.manual_seed(0)
    again = train(PairModel(), _pair_data(), default_collate, _pair_loss, cfg, resume=True)
    assert again.global_step == 3
    for p, q in zip(res.model.parameters(), again.model.parameters()): assert torch.equal(p, q)

def test_bad_inputs(tmp_path):
    cfg = TrainConfig(output_dir=str(tmp_path/'x'), max_steps=1, progress=False)
    with pytest.raises(FileNotFoundError, match='no complete checkpoint'):
        train(PairModel(), _pair_data(), default_collate, _pair_loss, cfg, resume=True)
    with pytest.raises(FileNotFoundError, match='not a complete checkpoint'):
        train(PairModel(), _pair_data(), default_collate, _pair_loss, cfg, resume=str(tmp_path))
    with pytest.raises(ValueError, match='scalar'):
        train(PairModel(), _pair_data(), default_collate, lambda m, b: m(b['ids']), cfg, resume=False)
    with pytest.raises(ValueError, match='empty'):
        train(PairModel(), [], default_collate, _pair_loss, cfg)
    with pytest.raises(ValueError, match='multiple of eval_steps'):
        TrainConfig(eval_steps=3, save_steps=4, metric_for_best='loss')
    with pytest.raises(RuntimeError, match='missing keys'):
        save_weights(nn.Linear(2, 2), tmp_path/'l.safetensors')
        load_weights(nn.Sequential(nn.Linear(2, 2)), tmp_path/'l.safetensors')


def test_other_settings_never_resume_a_finished_run(tmp_path):
    "The defect this guards against: a 1-epoch run's folder handed back as a 3-epoch run, or for other data and lr."
    def run(epochs=1, lr=1e-3, data=None, **kw):
        torch.manual_seed(0)
        cfg = TrainConfig(output_dir=str(tmp_path/'out'), lr=lr, batch_size=4, epochs=epochs, save_steps=2, progress=False)
        return train(PairModel(), data or _pair_data(), default_collate, _pair_loss, cfg, **kw)
    one = run()
    three = run(epochs=3)
    assert three.global_step == 3 * one.global_step and three.run_dir != one.run_dir
    assert any(not torch.equal(p, q) for p, q in zip(one.model.parameters(), three.model.parameters()))
    other = run(lr=5e-3, data=_pair_data(n=12, seed=1))
    assert other.run_dir not in (one.run_dir, three.run_dir)
    assert any(not torch.equal(p, q) for p, q in zip(one.model.parameters(), other.model.parameters()))
    again = run()  # the same settings: the finished run is reused, bit for bit
    assert again.run_dir == one.run_dir
    for p, q in zip(one.model.parameters(), again.model.parameters()): assert torch.equal(p, q)
    with pytest.raises(ValueError, match=r'config\.epochs'):
        run(epochs=2, on_mismatch='refuse')
    with pytest.raises(ValueError, match='differ in'):
        torch.manual_seed(0)
        train(PairModel(), _pair_data(), default_collate, _pair_loss,
              TrainConfig(output_dir=str(tmp_path/'out'), lr=9e-3, batch_size=4, max_steps=2, progress=False), resume=one.last_checkpoint)
