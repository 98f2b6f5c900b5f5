# marketlm: the two commands a newcomer needs are `make demo` and `make test`.
BUILD_DIR ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all setup configure build test demo demo-train bench model clean

all: build

setup:
	@bash scripts/setup.sh

configure: setup
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# Every test: unit, numerics, data (reads ../shared/data) and e2e.
test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

# The main job on the shipped default model.
demo: build
	@bash scripts/demo.sh $(BUILD_DIR)

# Rebuild the shipped ad-copy models (models/adcopy-zh, models/adcopy-en) from ../shared/data (about 2.5 hours
# on 2 cores; resumable: run it again after an interruption).
model: build
	@bash scripts/train_adcopy_model.sh $(BUILD_DIR)

# Train a tiny GPT on Jane Austen, plot its loss and sample from it (about 2 minutes).
demo-train: build
	@bash scripts/demo_train.sh $(BUILD_DIR)

bench: build
	@bash bench/run_all.sh $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR)
