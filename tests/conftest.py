import os

# Tests never reach a model hub; data comes from $HPD_NB_DATA (the Makefile points it at ../shared/data).
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def pytest_sessionstart(session):
    """In CI the data directory must be there: tests that need it would otherwise be skipped silently."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        from hpd_nb.data import data_dir
        d = data_dir()
        if not (d / "senteval").is_dir():
            raise RuntimeError(f"CI run without the data directory: {d} has no senteval/ (set HPD_NB_DATA)")
