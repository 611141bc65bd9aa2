# UniGrad Lab — the two commands of README.md.
#   make run    install what is missing, build (release), start the shell
#   make test   install what is missing, run the whole test suite
#   make train-mpi NP=2 ARGS="--preset small"   data-parallel training over Open MPI (README)
SHELL := /bin/bash
APT_PACKAGES := libopenblas-dev libreadline-dev zlib1g-dev libpng-dev libjpeg62-turbo-dev pkg-config dataset-fashion-mnist libopenmpi-dev openmpi-bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps build run test bench train-mpi

deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages: $$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

build: deps
	swift build -c release

run: build
	.build/release/unigrad

# One optimised build of everything (library, executable and tests; -enable-testing keeps
# @testable imports working), then the tests, which also run the built `unigrad` binary.
test: deps
	swift build -c release -Xswiftc -enable-testing --build-tests
	swift test -c release -Xswiftc -enable-testing --skip-build

bench: build
	.build/release/unigrad bench

# Open MPI 4.1 on one machine, as root in a container: --allow-run-as-root (mpirun refuses root
# otherwise), --oversubscribe (more ranks than cores). On a cluster add --hostfile FILE (README
# "Several processes and hosts").
MPIRUN := mpirun --allow-run-as-root --oversubscribe
NP ?= 2
ARGS ?= --preset small

train-mpi: build
	$(MPIRUN) -np $(NP) .build/release/unigrad train $(ARGS)
