import TensorCore

/// The variable the unified decomposition is written in.
public enum DecompositionVariable: String, Sendable, Equatable {
    /// `u = z/‖z‖` row-wise (every method built on ℓ2-normalised features).
    case normalized = "u"
    /// `z̃ = (z − mean)/√(var + 1e−5)` per dimension over the batch (Barlow Twins with batch
    /// standardisation; biased variance). `∂L/∂z` is the batch-standardisation backward of it.
    case standardized = "z~"
    /// The raw projector output `z` itself (VICReg).
    case raw = "z"

    /// `x(z)`: the map from raw features to this variable.
    public func apply<Scalar: BLASScalar>(_ z: Tensor<Scalar>) -> Tensor<Scalar> {
        switch self {
        case .normalized: return z.l2NormalizedRows()
        case .standardized: return BatchStandardization.forward(z).zTilde
        case .raw: return z
        }
    }
}

/// The negative set `V` of one view: the vectors `v` with where each came from.
public struct NegativeSet<Scalar: BLASScalar>: Sendable, Equatable {
    /// `V`, `(M, D)`, one vector per row.
    public var vectors: Tensor<Scalar>
    /// Provenance of each row, e.g. `"queue[3]"`, `"t2[5]"`, `"u1[7] (batch view-1 sample 7)"`,
    /// `"F_prev e[2]"` (an eigen-direction of the correlation matrix before this batch).
    public var labels: [String]

    public init(vectors: Tensor<Scalar>, labels: [String]) {
        precondition(vectors.rank == 2 && vectors.rows == labels.count,
                     "NegativeSet: \(vectors.shape) vectors with \(labels.count) labels")
        self.vectors = vectors
        self.labels = labels
    }

    /// The number of vectors `M`.
    public var count: Int { labels.count }
}

/// The unified decomposition of one view's gradient (Tao et al., CVPR 2022, Eq. "unified form"):
///
///     ∂L/∂x_b = positive_b + λ_b · Σ_v s_{b,v} v + residual_b,   negative_b = Σ_v s_{b,v} v
///
/// for every sample `b`, where `x` is `variable` (`u` for ℓ2-normalised methods). All vectors are
/// in units of `∂L/∂x`, i.e. they include the batch-mean and symmetrisation factors: `scale` is
/// that common factor (e.g. `1/(2N)` for `½·mean`, `1/(2Nτ)` for InfoNCE), so the paper's form is
/// `positive/scale = −t⁺` and `paperLambda = λ/scale` (1 for InfoNCE, 100 for UniGrad, …).
/// The weights `s` are unscaled (softmax weights for InfoNCE, `ρ_v u·v` for `F`-methods).
/// `residual` is what the paper's simplifications drop, computed from its own formula.
public struct ViewDecomposition<Scalar: BLASScalar>: Sendable {
    /// 1 or 2.
    public var view: Int
    /// The variable `x` the gradient is taken with respect to.
    public var variable: DecompositionVariable
    /// The common scale factor folded into `positive` and `lambda`.
    public var scale: Scalar
    /// `∂L/∂x`, `(N, D)`: the exact gradient of the method's loss (or surrogate) in `x`.
    public var gradient: Tensor<Scalar>
    /// Positive terms, `(N, D)`, e.g. `−scale·t2_b`.
    public var positive: Tensor<Scalar>
    /// `V` and its provenance.
    public var negativeSet: NegativeSet<Scalar>
    /// `s_{b,v}`, `(N, M)`.
    public var weights: Tensor<Scalar>
    /// `Σ_v s_{b,v} v = weights · V`, `(N, D)`.
    public var negative: Tensor<Scalar>
    /// `λ_b` (includes `scale`); equal entries when `λ` is a scalar.
    public var lambda: [Scalar]
    /// True when `λ` is adaptive (per sample), false when it is a hyper-parameter.
    public var lambdaIsPerSample: Bool
    /// What the simplifications drop, `(N, D)`.
    public var residual: Tensor<Scalar>
    /// One line saying what `positive`, `V` and `residual` are for this method.
    public var note: String

    public init(view: Int, variable: DecompositionVariable, scale: Scalar, gradient: Tensor<Scalar>,
                positive: Tensor<Scalar>, negativeSet: NegativeSet<Scalar>, weights: Tensor<Scalar>,
                lambda: [Scalar], lambdaIsPerSample: Bool, residual: Tensor<Scalar>, note: String) {
        let n = gradient.rows, d = gradient.columns
        precondition(positive.shape == [n, d] && residual.shape == [n, d] && lambda.count == n
                     && weights.shape == [n, negativeSet.count] && negativeSet.vectors.columns == d,
                     "ViewDecomposition shapes: grad \(gradient.shape) pos \(positive.shape) res \(residual.shape) "
                     + "λ \(lambda.count) weights \(weights.shape) V \(negativeSet.vectors.shape)")
        self.view = view
        self.variable = variable
        self.scale = scale
        self.gradient = gradient
        self.positive = positive
        self.negativeSet = negativeSet
        self.weights = weights
        self.negative = negativeSet.count == 0 ? Tensor.zeros([n, d]) : weights.matmul(negativeSet.vectors)
        self.lambda = lambda
        self.lambdaIsPerSample = lambdaIsPerSample
        self.residual = residual
        self.note = note
    }

    /// `λ_b / scale`: the balance factor in the paper's units.
    public var paperLambda: [Scalar] { lambda.map { $0 / scale } }

    /// `positive + λ ⊙ negative + residual`, which equals `gradient` to rounding.
    public func reconstruction() -> Tensor<Scalar> {
        positive + negative.scalingRows(lambda) + residual
    }

    /// `max |reconstruction − gradient|`.
    public func reconstructionError() -> Scalar { (reconstruction() - gradient).maxAbs() }
}
