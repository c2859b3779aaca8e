# Entry points: `make demo` and `make test` do every set-up step on a fresh Debian 12.
BUILD ?= build
JOBS ?= $(shell nproc)

.PHONY: all deps deps-test build demo test test-sanitize fuzz-build fuzz-smoke fuzz-long format clean

all: build

deps:
	@bash scripts/install-deps.sh build

deps-test:
	@bash scripts/install-deps.sh test

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	@bash scripts/demo.sh $(BUILD)/sigil

test: deps-test $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# ASan+UBSan build (g++, -O1 so the corpus tests run in CI time) of libsigil, the
# CLI and every test; the whole ctest suite runs under it (docs/hardening.md).
test-sanitize: deps-test
	cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g" -DSIGIL_SANITIZE=ON -DSIGIL_BENCH=OFF
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS)

# libFuzzer targets (fuzz/, clang): 60 s each for CI, 30 min each for a long run,
# JOBS targets at a time.
FUZZ_BUILD ?= build-fuzz
FUZZ_TARGETS ?=
fuzz-build: deps
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DSIGIL_FUZZ=ON -DBUILD_TESTING=OFF -DSIGIL_BENCH=OFF
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzzers

fuzz-smoke: fuzz-build
	FUZZ_JOBS=$(JOBS) bash fuzz/run.sh $(FUZZ_BUILD) 60 $(FUZZ_TARGETS)

fuzz-long: fuzz-build
	FUZZ_JOBS=$(JOBS) bash fuzz/run.sh $(FUZZ_BUILD) 1800 $(FUZZ_TARGETS)

format:
	find src include tests bench fuzz -name '*.cpp' -o -name '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD) build-asan build-fuzz
