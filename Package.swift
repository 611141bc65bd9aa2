// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "UniGradLab",
    products: [
        .executable(name: "unigrad", targets: ["unigrad"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    ],
    targets: [
        // C libraries from Debian.
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CReadline", providers: [.apt(["libreadline-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CPNG", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"])]),
        .systemLibrary(name: "CJPEG", providers: [.apt(["libjpeg62-turbo-dev"])]),
        // libjpeg reports errors by longjmp, which Swift cannot catch: a few C functions that do.
        .target(name: "CJPEGShim", dependencies: ["CJPEG"], linkerSettings: [.linkedLibrary("jpeg")]),

        // Numeric core: tensors, BLAS, seeded RNG.
        .target(name: "TensorCore", dependencies: [
            "CBLAS", .product(name: "Numerics", package: "swift-numerics"),
        ]),
        // Central finite differences in Double.
        .target(name: "GradCheck", dependencies: ["TensorCore"]),
        // Layers with forward and backward side by side.
        .target(name: "Layers", dependencies: ["TensorCore"]),
        // Feature-level SSL methods, their gradients and unified decompositions, derivation checks.
        .target(name: "Methods", dependencies: ["TensorCore", "GradCheck", "Optim"]),
        // Datasets, image codecs, augmentations.
        .target(name: "Data", dependencies: ["TensorCore", "CZlib", "CPNG", "CJPEGShim"]),
        // Optimizers and learning-rate / momentum schedules.
        .target(name: "Optim", dependencies: ["Layers"]),
        // kNN monitor, linear probe, collapse metrics.
        .target(name: "Eval", dependencies: ["TensorCore"]),
        // Collectives for data-parallel training: MPI under mpirun, the identity otherwise.
        .target(name: "Distributed", dependencies: ["TensorCore", "CMPI"]),
        // safetensors files, written atomically.
        .target(name: "Checkpoints", dependencies: ["TensorCore"]),
        // The Siamese model, target branches and the trainer.
        .target(name: "SSL", dependencies: ["Layers", "Optim", "Methods", "Data", "Eval", "Checkpoints", "Distributed", "Yams"]),
        // The shell's logic: session state, commands, lessons, plots. Text in, text out; no terminal.
        .target(name: "Lab", dependencies: ["SSL", "GradCheck"]),

        .executableTarget(name: "unigrad", dependencies: [
            "TensorCore", "GradCheck", "Layers", "Methods", "Data", "Optim", "Eval", "Checkpoints", "Distributed", "SSL", "Lab", "CReadline",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ],
        // GNU readline is driven through its C globals (rl_line_buffer, rl_catch_signals, …),
        // which Swift 6's strict concurrency checking cannot see as safe.
        swiftSettings: [.swiftLanguageMode(.v5)]),

        .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore", "GradCheck"]),
        .testTarget(name: "LayersTests", dependencies: ["Layers", "GradCheck"]),
        .testTarget(name: "MethodsTests", dependencies: ["Methods", "GradCheck"]),
        .testTarget(name: "DataTests", dependencies: ["Data"]),
        .testTarget(name: "OptimTests", dependencies: ["Optim", "GradCheck"]),
        .testTarget(name: "EvalTests", dependencies: ["Eval", "GradCheck"]),
        .testTarget(name: "CheckpointsTests", dependencies: ["Checkpoints"]),
        .testTarget(name: "DistributedTests", dependencies: ["Distributed", "SSL"]),
        .testTarget(name: "SSLTests", dependencies: ["SSL", "GradCheck"]),
        .testTarget(name: "LabTests", dependencies: ["Lab"]),
    ]
)
