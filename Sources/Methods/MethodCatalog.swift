import Foundation
import TensorCore

/// The family of a method (paper.md §2).
public enum MethodFamily: String, Sendable, Equatable, CaseIterable {
    case contrastive, asymmetric, decorrelation, unigrad = "UniGrad"
}

/// What the catalogue knows about one method: the name users type, its family, its Table 1 row,
/// a one-line definition, the kind of value it reports and its settable hyper-parameters.
public struct MethodDescriptor: Sendable, Equatable {
    /// The name users type, e.g. `"byol-directpred"`.
    public var name: String
    public var family: MethodFamily
    /// The paper's Table 1 row, e.g. `"(d)"`, or `"–"`.
    public var tableRow: String
    /// One line: the definition.
    public var summary: String
    /// `.loss` or `.surrogate`.
    public var lossKind: LossKind
    /// Settable hyper-parameters with defaults and ranges.
    public var parameters: [ParameterSpec]
    /// The variable of the decomposition.
    public var variable: DecompositionVariable
    /// The smallest batch the method accepts (2 for batch statistics).
    public var minimumBatch: Int
    /// Which optional inputs it reads: a subset of `["z1t", "z2t", "queue", "F", "W"]`.
    public var reads: [String]

    /// The parameter spec with this key.
    public func parameter(_ key: String) -> ParameterSpec? { parameters.first { $0.key == key } }
}

/// The method catalogue (DESIGN.md "Method catalogue"): names, defaults, ranges, and a factory.
///
/// ```swift
/// let params = try MethodCatalog.parameters(for: "moco", settings: ["tau=0.1"])
/// let moco = try MethodCatalog.make("moco", Double.self, parameters: params)
/// ```
public enum MethodCatalog {
    static let tau = ParameterSpec(key: "tau", defaultValue: 0.2, range: 1e-4...100, summary: "softmax temperature τ")
    static let rho = ParameterSpec(key: "rho", defaultValue: 0.99, range: 0...1, summary: "moving-average momentum ρ of F")
    static let eps = ParameterSpec(key: "eps", defaultValue: 0.3, range: 0...10, summary: "DirectPred ε added to √(s/s_max)")
    static func lambda(_ d: Double, _ summary: String) -> ParameterSpec {
        ParameterSpec(key: "lambda", defaultValue: d, range: 0...1e6, summary: summary)
    }

    /// Every method, in the order of DESIGN.md's table.
    public static let all: [MethodDescriptor] = [
        MethodDescriptor(name: "moco", family: .contrastive, tableRow: "(a)",
                         summary: "InfoNCE with positive t⁺ and the memory-bank queue Q as negatives",
                         lossKind: .loss,
                         parameters: [tau, ParameterSpec(key: "queue_size", defaultValue: 4096, range: 1...1_000_000, isInteger: true,
                                                         summary: "queue capacity K (rows kept after enqueuing [t1; t2])")],
                         variable: .normalized, minimumBatch: 1, reads: ["z1t", "z2t", "queue"]),
        MethodDescriptor(name: "simclr", family: .contrastive, tableRow: "(b)",
                         summary: "InfoNCE with stop-gradient keys K = [t1; t2] (official gradient code)",
                         lossKind: .loss, parameters: [tau], variable: .normalized, minimumBatch: 1, reads: ["z1t", "z2t"]),
        MethodDescriptor(name: "ntxent", family: .contrastive, tableRow: "–",
                         summary: "original SimCLR NT-Xent on [u1; u2], gradients to both views, self excluded",
                         lossKind: .loss, parameters: [tau], variable: .normalized, minimumBatch: 1, reads: []),
        MethodDescriptor(name: "byol", family: .asymmetric, tableRow: "(c)",
                         summary: "−cos(W u, t⁺) with a linear predictor W (identity if absent)",
                         lossKind: .loss, parameters: [], variable: .normalized, minimumBatch: 1, reads: ["z1t", "z2t", "W"]),
        MethodDescriptor(name: "simsiam", family: .asymmetric, tableRow: "–",
                         summary: "byol with a stop-gradient (non-momentum) target",
                         lossKind: .loss, parameters: [], variable: .normalized, minimumBatch: 1, reads: ["z1t", "z2t", "W"]),
        MethodDescriptor(name: "byol-directpred", family: .asymmetric, tableRow: "(d)",
                         summary: "byol with DirectPred's analytic predictor W_p = U diag(max(√(s/s_max)+ε, 1e−4)) Uᵀ from F",
                         lossKind: .loss, parameters: [eps, rho], variable: .normalized, minimumBatch: 1, reads: ["z1t", "z2t", "F"]),
        MethodDescriptor(name: "byol-grad", family: .asymmetric, tableRow: "(e)",
                         summary: "gradient form −t⁺ + λ_b F u, λ_b = u·W_p t⁺/(uᵀF u) (W_p → I in the positive)",
                         lossKind: .surrogate, parameters: [eps, rho], variable: .normalized, minimumBatch: 1, reads: ["z1t", "z2t", "F"]),
        MethodDescriptor(name: "barlow", family: .decorrelation, tableRow: "(f)",
                         summary: "original Barlow Twins: batch standardisation, Σ(1−C_ii)² + λ Σ_{i≠j} C_ij²",
                         lossKind: .loss, parameters: [lambda(0.0051, "off-diagonal weight λ")], variable: .standardized,
                         minimumBatch: 2, reads: []),
        MethodDescriptor(name: "barlow-grad", family: .decorrelation, tableRow: "(g)",
                         summary: "gradient of barlow with the positive-term matrix A replaced by the identity",
                         lossKind: .surrogate, parameters: [lambda(0.0051, "balance factor λ")], variable: .standardized,
                         minimumBatch: 2, reads: ["z1t", "z2t"]),
        MethodDescriptor(name: "barlow-l2", family: .decorrelation, tableRow: "(h)",
                         summary: "barlow-grad with ℓ2 normalisation: 2(−t⁺ + λ Σ_v (t⁺·t⁺_v/N) u_v) (official code)",
                         lossKind: .surrogate, parameters: [lambda(50, "balance factor λ")], variable: .normalized,
                         minimumBatch: 1, reads: ["z1t", "z2t"]),
        MethodDescriptor(name: "vicreg", family: .decorrelation, tableRow: "(i)",
                         summary: "original VICReg on raw z: invariance + variance hinge + covariance",
                         lossKind: .loss,
                         parameters: [ParameterSpec(key: "invariance", defaultValue: 25, range: 0...1e6, summary: "invariance (MSE) weight"),
                                      ParameterSpec(key: "variance", defaultValue: 25, range: 0...1e6, summary: "variance hinge weight"),
                                      ParameterSpec(key: "covariance", defaultValue: 1, range: 0...1e6, summary: "covariance weight")],
                         variable: .raw, minimumBatch: 2, reads: []),
        MethodDescriptor(name: "vicreg-grad", family: .decorrelation, tableRow: "(j)",
                         summary: "gradient form −t⁺ + λ Σ_v (u·v/N) v over the batch (variance hinge dropped, ℓ2 features, constant target)",
                         lossKind: .surrogate,
                         parameters: [lambda(10, "balance factor λ (≈ 2D·w_cov/w_inv)"),
                                      ParameterSpec(key: "center", defaultValue: 0, range: 0...1, isInteger: true,
                                                    summary: "1: centred negatives, λ Cov(u) ū (the covariance term exactly)")],
                         variable: .normalized, minimumBatch: 2, reads: ["z1t", "z2t"]),
        MethodDescriptor(name: "unigrad", family: .unigrad, tableRow: "–",
                         summary: "−u·t⁺ + (λ/2) uᵀF u with the moving-average correlation F; gradient −t⁺ + λ F u",
                         lossKind: .loss, parameters: [lambda(100, "balance factor λ"), rho], variable: .normalized,
                         minimumBatch: 1, reads: ["z1t", "z2t", "F"]),
    ]

    /// The names in catalogue order.
    public static var names: [String] { all.map(\.name) }

    /// The descriptor of `name`, or `MethodError.unknownMethod` listing the valid names.
    public static func descriptor(named name: String) throws(MethodError) -> MethodDescriptor {
        guard let d = all.first(where: { $0.name == name }) else { throw .unknownMethod(name, valid: names) }
        return d
    }

    /// Splits `"key=value"` into its parts (whitespace trimmed); `MethodError.malformedSetting` otherwise.
    public static func parseSetting(_ text: String) throws(MethodError) -> (key: String, value: String) {
        guard let eq = text.firstIndex(of: "=") else { throw .malformedSetting(text) }
        let key = text[..<eq].trimmingCharacters(in: .whitespaces)
        let value = text[text.index(after: eq)...].trimmingCharacters(in: .whitespaces)
        guard !key.isEmpty, !value.isEmpty else { throw .malformedSetting(text) }
        return (key, value)
    }

    /// The defaults of `name` overridden by `settings` (`["tau=0.1", …]`), validated: unknown keys,
    /// non-numbers, non-integers and out-of-range values are typed errors.
    public static func parameters(for name: String, settings: [String] = []) throws(MethodError) -> MethodParameters {
        var values: [String: Double] = [:]
        for s in settings {
            let (k, v) = try parseSetting(s)
            values[k] = try value(for: name, key: k, text: v)
        }
        return try parameters(for: name, values: values)
    }

    /// The defaults of `name` overridden by numeric `values`, validated.
    public static func parameters(for name: String, values: [String: Double]) throws(MethodError) -> MethodParameters {
        let d = try descriptor(named: name)
        for (k, v) in values.sorted(by: { $0.key < $1.key }) {
            guard let spec = d.parameter(k) else { throw .unknownParameter(method: name, key: k, valid: d.parameters.map(\.key)) }
            try spec.check(v)
        }
        return MethodParameters(d.parameters.map { ($0.key, values[$0.key] ?? $0.defaultValue) })
    }

    /// Parses one value for `key` of method `name`.
    public static func value(for name: String, key: String, text: String) throws(MethodError) -> Double {
        let d = try descriptor(named: name)
        guard let spec = d.parameter(key) else { throw .unknownParameter(method: name, key: key, valid: d.parameters.map(\.key)) }
        return try spec.parse(text)
    }

    /// Builds the method `name` in precision `Scalar` with validated `parameters`
    /// (from `parameters(for:settings:)`; missing keys take their defaults).
    public static func make<Scalar: BLASScalar>(_ name: String, _ type: Scalar.Type = Scalar.self,
                                                parameters given: MethodParameters? = nil) throws(MethodError) -> any SSLMethod<Scalar> {
        let values = Dictionary(uniqueKeysWithValues: (given?.entries ?? []).map { ($0.key, $0.value) })
        let p = try parameters(for: name, values: values)
        switch name {
        case "moco": return MoCoMethod<Scalar>(parameters: p)
        case "simclr": return SimCLRMethod<Scalar>(parameters: p)
        case "ntxent": return NTXentMethod<Scalar>(parameters: p)
        case "byol": return BYOLMethod<Scalar>(parameters: p)
        case "simsiam": return SimSiamMethod<Scalar>(parameters: p)
        case "byol-directpred": return BYOLDirectPredMethod<Scalar>(parameters: p)
        case "byol-grad": return BYOLGradMethod<Scalar>(parameters: p)
        case "barlow": return BarlowTwinsMethod<Scalar>(parameters: p)
        case "barlow-grad": return BarlowGradMethod<Scalar>(parameters: p)
        case "barlow-l2": return BarlowL2Method<Scalar>(parameters: p)
        case "vicreg": return VICRegMethod<Scalar>(parameters: p)
        case "vicreg-grad": return VICRegGradMethod<Scalar>(parameters: p)
        case "unigrad": return UniGradMethod<Scalar>(parameters: p)
        default: throw .unknownMethod(name, valid: names)
        }
    }

    /// Builds `name` from textual settings (`["lambda=10"]`).
    public static func make<Scalar: BLASScalar>(_ name: String, _ type: Scalar.Type = Scalar.self,
                                                settings: [String]) throws(MethodError) -> any SSLMethod<Scalar> {
        try make(name, type, parameters: parameters(for: name, settings: settings))
    }
}
