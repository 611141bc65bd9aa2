import TensorCore

/// Whether a method's reported value is a true loss or the official code's surrogate.
///
/// A *surrogate* is `ℓ = ½(1/N Σ_b ⟨sg(g1_b), x1_b⟩ + 1/N Σ_b ⟨sg(g2_b), x2_b⟩)` for a hand-built
/// gradient `g` (paper.md §4, C4): its gradient is the intended `g/(2N)`, its value is not a loss.
public enum LossKind: String, Sendable, Equatable, CaseIterable {
    /// An analytic loss whose exact derivative is the reported gradient.
    case loss
    /// The value of the surrogate `½(1/N Σ⟨sg(g1), x1⟩ + 1/N Σ⟨sg(g2), x2⟩)`.
    case surrogate
}

/// One named term of a loss (e.g. "InfoNCE positive"), already weighted, so the terms add up to
/// the method's reported value.
public struct LossTerm<Scalar: BLASScalar>: Sendable, Equatable, CustomStringConvertible {
    /// A short name, e.g. `"invariance"`.
    public var name: String
    /// The weighted value of the term (the terms of a method sum to its `loss`).
    public var value: Scalar
    /// The formula in words, e.g. `"25 · mean (z1 − z2)²"`.
    public var formula: String

    public init(name: String, value: Scalar, formula: String) {
        self.name = name
        self.value = value
        self.formula = formula
    }

    public var description: String { "\(name) = \(formatScalar(Double(value), precision: 6))  [\(formula)]" }
}

/// Optional target-branch outputs (raw, before normalisation). When absent, each defaults to a
/// stop-gradient copy of the online output of the same view (DESIGN.md "Method catalogue").
public struct MethodTargets<Scalar: BLASScalar>: Sendable, Equatable {
    /// Raw target of view 1, `(N, D)`; normalised to `t1`.
    public var z1t: Tensor<Scalar>?
    /// Raw target of view 2, `(N, D)`; normalised to `t2`.
    public var z2t: Tensor<Scalar>?

    public init(z1t: Tensor<Scalar>? = nil, z2t: Tensor<Scalar>? = nil) {
        self.z1t = z1t
        self.z2t = z2t
    }

    /// No explicit targets: stop-gradient copies of the online outputs.
    public static var none: MethodTargets { MethodTargets() }
}

/// A surrogate's constant gradient matrices, so callers can re-evaluate
/// `½(1/N Σ⟨g1_b, x1_b⟩ + 1/N Σ⟨g2_b, x2_b⟩)` with `g` held fixed (finite-difference checks).
public struct SurrogateGradients<Scalar: BLASScalar>: Sendable, Equatable {
    /// `g1`, `(N, D)`: the per-sample gradient the code builds for view 1.
    public var g1: Tensor<Scalar>
    /// `g2`, `(N, D)`.
    public var g2: Tensor<Scalar>
    /// What `x` is: `u = z/‖z‖` or the batch-standardised `z̃`.
    public var variable: DecompositionVariable

    public init(g1: Tensor<Scalar>, g2: Tensor<Scalar>, variable: DecompositionVariable) {
        self.g1 = g1
        self.g2 = g2
        self.variable = variable
    }

    /// `½(1/N Σ_b ⟨g1_b, x1_b⟩ + 1/N Σ_b ⟨g2_b, x2_b⟩)` with `x = variable(z)`.
    public func value(z1: Tensor<Scalar>, z2: Tensor<Scalar>) -> Scalar {
        let x1 = variable.apply(z1), x2 = variable.apply(z2)
        let n = Scalar(z1.rows)
        return (g1.dot(x1) + g2.dot(x2)) / (2 * n)
    }
}

/// Everything a method computes on one batch.
public struct MethodResult<Scalar: BLASScalar>: Sendable {
    /// The method's catalogue name.
    public var method: String
    /// The reported value: the loss, or the surrogate value when `lossKind == .surrogate`.
    public var loss: Scalar
    /// `.loss` or `.surrogate`.
    public var lossKind: LossKind
    /// Named terms; their values sum to `loss`.
    public var terms: [LossTerm<Scalar>]
    /// `∂L/∂z1`, `(N, D)`, exact (every other input fixed).
    public var gradZ1: Tensor<Scalar>
    /// `∂L/∂z2`, `(N, D)`.
    public var gradZ2: Tensor<Scalar>
    /// The unified decomposition for view 1 and view 2 (in that order).
    public var views: [ViewDecomposition<Scalar>]
    /// For surrogate methods, the constant `g` matrices; `nil` for analytic losses.
    public var surrogate: SurrogateGradients<Scalar>?
    /// The state after this batch (updated `F`, enqueued queue).
    public var nextState: MethodState<Scalar>

    public init(method: String, loss: Scalar, lossKind: LossKind, terms: [LossTerm<Scalar>],
                gradZ1: Tensor<Scalar>, gradZ2: Tensor<Scalar>, views: [ViewDecomposition<Scalar>],
                surrogate: SurrogateGradients<Scalar>? = nil, nextState: MethodState<Scalar>) {
        self.method = method
        self.loss = loss
        self.lossKind = lossKind
        self.terms = terms
        self.gradZ1 = gradZ1
        self.gradZ2 = gradZ2
        self.views = views
        self.surrogate = surrogate
        self.nextState = nextState
    }

    /// The named term with this name, if any.
    public func term(_ name: String) -> LossTerm<Scalar>? { terms.first { $0.name == name } }
}

/// A feature-level Siamese SSL method of the unified gradient framework (Tao et al., CVPR 2022).
///
/// Conventions (DESIGN.md "Method catalogue"): `z` raw `(N, D)`, `u = z/‖z‖` row-wise, targets
/// `t = normalize(zt)` constant (stop-gradient), losses are batch means, symmetrised
/// `L = ½(ℓ(u1 → t2) + ℓ(u2 → t1))`, and `gradZ1 = ∂L/∂z1` is a partial derivative through the
/// normalisation with everything else fixed.
///
/// ```swift
/// let method = try MethodCatalog.make("unigrad", Double.self, settings: ["lambda": 10])
/// let r = method.evaluate(z1: z1, z2: z2, targets: .none, state: MethodState())
/// print(r.loss, r.views[0].lambda[0])
/// ```
public protocol SSLMethod<Scalar>: Sendable {
    associatedtype Scalar: BLASScalar
    /// The catalogue name (e.g. `"unigrad"`).
    var name: String { get }
    /// The hyper-parameters in effect (catalogue keys → values).
    var parameters: MethodParameters { get }
    /// Loss, gradients, decomposition (when `decompose`; otherwise `views` is empty, which is
    /// what a training step wants) and next state on one batch.
    ///
    /// - Precondition: `z1`, `z2` (and given targets) are `(N, D)` with `N ≥ 1` (`N ≥ 2` for the
    ///   batch-statistics methods), finite; `state` sizes match `D` (validate user input with
    ///   `BatchInput` first).
    func evaluate(z1: Tensor<Scalar>, z2: Tensor<Scalar>, targets: MethodTargets<Scalar>,
                  state: MethodState<Scalar>, decompose: Bool) -> MethodResult<Scalar>
}

extension SSLMethod {
    /// `evaluate(…, decompose: true)`: everything, including the unified decomposition.
    public func evaluate(z1: Tensor<Scalar>, z2: Tensor<Scalar>, targets: MethodTargets<Scalar> = .none,
                         state: MethodState<Scalar> = MethodState()) -> MethodResult<Scalar> {
        evaluate(z1: z1, z2: z2, targets: targets, state: state, decompose: true)
    }
}
