import Foundation
import TensorCore

/// Multinomial logistic regression `logits = x·W + b` with the softmax cross-entropy loss: the
/// linear classifier of the linear-evaluation protocol (SimSiam, Chen & He, CVPR 2021).
///
/// Forward and backward, same symbols (`x: (N, D)`, `W: (D, C)`, `b: (C)`, labels `y`):
///
///     logits = x·W + b                                   (N, C)
///     p      = softmax(logits)  (row-wise, max-subtracted)
///     L      = (1/N) Σᵢ [log Σ_c exp(logitsᵢ_c) − logitsᵢ_yᵢ] + (wd/2)‖W‖²
///     dlogits = (p − onehot(y)) / N
///     dW = xᵀ·dlogits + wd·W,    db = Σᵢ dlogitsᵢ
public struct SoftmaxRegression<Scalar: BLASScalar>: Sendable, Equatable {
    /// `(D, C)` weights.
    public var weights: Tensor<Scalar>
    /// `C` biases.
    public var bias: [Scalar]

    /// A classifier with the given parameters.
    public init(weights: Tensor<Scalar>, bias: [Scalar]) {
        precondition(weights.rank == 2 && weights.columns == bias.count,
                     "SoftmaxRegression: weights \(weights.shape) need \(weights.rank == 2 ? weights.columns : -1) biases, got \(bias.count)")
        self.weights = weights
        self.bias = bias
    }

    /// Weights drawn from `N(0, std²)` (SimSiam's fc init, `std = 0.01`) and zero bias.
    public init(inputDimension d: Int, classCount c: Int, std: Scalar = 0.01, using rng: inout RandomGenerator) {
        self.init(weights: .randomNormal([d, c], std: std, using: &rng), bias: [Scalar](repeating: 0, count: c))
    }

    /// Input dimension `D`.
    public var inputDimension: Int { weights.rows }
    /// Number of classes `C`.
    public var classCount: Int { weights.columns }

    /// `logits = x·W + b`, `(N, D) → (N, C)`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func logits(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
        precondition(x.rank == 2 && x.columns == inputDimension,
                     "SoftmaxRegression.logits: input \(x.shape) vs weights \(weights.shape)")
        var out = x.matmul(weights)
        let c = classCount
        out.scalars.withUnsafeMutableBufferPointer { o in
            for i in 0..<x.rows { for j in 0..<c { o[i * c + j] += bias[j] } }
        }
        return out
    }

    /// The argmax class of each row (ties: the lower class).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func predict(_ x: Tensor<Scalar>) -> [Int] {
        let z = logits(x), c = classCount
        return (0..<x.rows).map { i in
            var best = 0
            for j in 1..<c where z.scalars[i * c + j] > z.scalars[i * c + best] { best = j }
            return best
        }
    }

    /// Loss and gradients of the mean softmax cross-entropy plus `(wd/2)‖W‖²` (see the type's doc).
    ///
    /// - Returns: `loss` (accumulated in `Double`), `gradWeights` `(D, C)`, `gradBias` `(C)`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func lossAndGradients(_ x: Tensor<Scalar>, labels y: [Int], weightDecay wd: Scalar = 0)
        -> (loss: Double, gradWeights: Tensor<Scalar>, gradBias: [Scalar]) {
        precondition(y.count == x.rows, "lossAndGradients: \(y.count) labels for \(x.rows) rows")
        let n = x.rows, c = classCount
        // forward: logits (N, C) → p (N, C), overwritten in place by dlogits
        var g = logits(x)
        var loss = 0.0
        let invN = 1 / Scalar(n)
        g.scalars.withUnsafeMutableBufferPointer { z in
            for i in 0..<n {
                let row = z.baseAddress! + i * c
                var m = row[0]
                for j in 1..<c { m = Swift.max(m, row[j]) }
                let yi = y[i]
                precondition(yi >= 0 && yi < c, "label \(yi) at row \(i) outside 0..<\(c)")
                let zy = row[yi]
                var sum: Scalar = 0
                for j in 0..<c { let e = Scalar.exp(row[j] - m); row[j] = e; sum += e }
                // log Σ_c exp(logits_c) − logit_y, shifted by the row max m (no overflow, no log 0)
                loss += Double(Scalar.log(sum)) + Double(m - zy)
                let inv = 1 / sum
                for j in 0..<c { row[j] *= inv * invN }
                row[yi] -= invN
            }
        }
        loss /= Double(n)
        // backward: dW = xᵀ·dlogits + wd·W, db = Σᵢ dlogitsᵢ
        var dW = x.matmul(g, transposeSelf: true)
        if wd != 0 {
            var sq: Scalar = 0
            dW.scalars.withUnsafeMutableBufferPointer { d in
                weights.scalars.withUnsafeBufferPointer { w in
                    for i in 0..<w.count { d[i] += wd * w[i]; sq += w[i] * w[i] }
                }
            }
            loss += 0.5 * Double(wd) * Double(sq)
        }
        var db = [Scalar](repeating: 0, count: c)
        g.scalars.withUnsafeBufferPointer { p in
            for i in 0..<n { for j in 0..<c { db[j] += p[i * c + j] } }
        }
        return (loss, dW, db)
    }

    /// The loss alone (for finite-difference checks and monitoring).
    public func loss(_ x: Tensor<Scalar>, labels y: [Int], weightDecay wd: Scalar = 0) -> Double {
        lossAndGradients(x, labels: y, weightDecay: wd).loss
    }
}
