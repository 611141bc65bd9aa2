import TensorCore
import Layers

/// The outputs of one Siamese forward pass on two views of `N` images.
public struct SiameseOutputs<Scalar: BLASScalar> {
    /// Online outputs `z1`, `z2` (N, D): the predictor's output when there is a predictor.
    public var z1: Tensor<Scalar>
    public var z2: Tensor<Scalar>
    /// Momentum targets `z1t`, `z2t` (N, D), or `nil` when the target branch is `stopgrad`.
    public var z1m: Tensor<Scalar>?
    public var z2m: Tensor<Scalar>?
    /// Detached online projector outputs (N, D): the stop-gradient targets, and the negatives'
    /// source for `momentum-positive`.
    public var p1: Tensor<Scalar>
    public var p2: Tensor<Scalar>
}

/// A Siamese network: encoder `f`, projector `g`, optional predictor `h`, and, for momentum
/// targets, an exponential moving average `(f_m, g_m)` of the encoder and projector.
///
/// Both views go through the online branch as *one* batch of `2N` images (one forward, one
/// backward, larger GEMMs). Batch-norm statistics are therefore taken over both views together;
/// the official code forwards the views one at a time, so its BN statistics are per view.
///
/// Reference: Grill et al. (BYOL), NeurIPS 2020; Chen & He (SimSiam), CVPR 2021; Tao et al.
/// (UniGrad), CVPR 2022.
public final class SiameseModel<Scalar: BLASScalar> {
    public let encoder: any Layer<Scalar>
    public let projector: any Layer<Scalar>
    public let predictor: (any Layer<Scalar>)?
    public let targetBranch: TargetBranch
    /// The momentum copies of the encoder and projector (nil for `stopgrad`).
    public private(set) var momentumEncoder: (any Layer<Scalar>)?
    public private(set) var momentumProjector: (any Layer<Scalar>)?

    public init(encoder: any Layer<Scalar>, projector: any Layer<Scalar>, predictor: (any Layer<Scalar>)?,
                targetBranch: TargetBranch) {
        self.encoder = encoder
        self.projector = projector
        self.predictor = predictor
        self.targetBranch = targetBranch
        encoder.nameParameters(prefix: "encoder")
        projector.nameParameters(prefix: "projector")
        predictor?.nameParameters(prefix: "predictor")
        if targetBranch.usesMomentumEncoder {
            let fm = encoder.copy(), gm = projector.copy()
            fm.nameParameters(prefix: "momentum_encoder")
            gm.nameParameters(prefix: "momentum_projector")
            momentumEncoder = fm
            momentumProjector = gm
        }
    }

    /// Every online parameter (encoder, projector, predictor), in a fixed order.
    public var parameters: [Parameter<Scalar>] {
        encoder.parameters + projector.parameters + (predictor?.parameters ?? [])
    }

    /// Training or evaluation mode for every branch.
    public func setTraining(_ training: Bool) {
        encoder.isTraining = training
        projector.isTraining = training
        predictor?.isTraining = training
        momentumEncoder?.isTraining = training
        momentumProjector?.isTraining = training
    }

    /// The forward pass on two views `x1`, `x2` of shape (N, C, H, W).
    public func forward(_ x1: Tensor<Scalar>, _ x2: Tensor<Scalar>) -> SiameseOutputs<Scalar> {
        precondition(x1.shape == x2.shape, "views have shapes \(x1.shape) and \(x2.shape)")
        let n = x1.shape[0]
        let x = Tensor.concatenatingRows([x1, x2])
        let p = projector.forward(encoder.forward(x))
        let z = predictor.map { $0.forward(p) } ?? p
        var out = SiameseOutputs(z1: z.slicingRows(0..<n), z2: z.slicingRows(n..<(2 * n)),
                                 z1m: nil, z2m: nil,
                                 p1: p.slicingRows(0..<n), p2: p.slicingRows(n..<(2 * n)))
        if let fm = momentumEncoder, let gm = momentumProjector {
            let zm = gm.forward(fm.forward(x))
            out.z1m = zm.slicingRows(0..<n)
            out.z2m = zm.slicingRows(n..<(2 * n))
        }
        return out
    }

    /// Backpropagates `∂L/∂z1`, `∂L/∂z2` through predictor, projector and encoder, accumulating
    /// every online parameter's gradient.
    public func backward(gradZ1: Tensor<Scalar>, gradZ2: Tensor<Scalar>) {
        var g = Tensor.concatenatingRows([gradZ1, gradZ2])
        if let h = predictor { g = h.backward(g) }
        _ = encoder.backward(projector.backward(g))
    }

    /// The momentum update `θ_m ← m·θ_m + (1 − m)·θ_o` for the encoder and projector parameters.
    /// Batch-norm running statistics of the momentum branch come from its own forward passes,
    /// as in the official code.
    public func updateMomentumBranch(momentum m: Scalar) {
        guard let fm = momentumEncoder, let gm = momentumProjector else { return }
        let online = encoder.parameters + projector.parameters
        let target = fm.parameters + gm.parameters
        precondition(online.count == target.count, "momentum branch has \(target.count) parameters, online \(online.count)")
        for (po, pm) in zip(online, target) {
            pm.value *= m
            pm.value.addScaled(po.value, by: 1 - m)
        }
    }

    /// Encoder features (N, F) of images in evaluation mode, in chunks (for kNN and the linear probe).
    public func features(_ images: Tensor<Scalar>, chunk: Int = 512) -> Tensor<Scalar> {
        let wasTraining = encoder.isTraining
        encoder.isTraining = false
        defer { encoder.isTraining = wasTraining }
        return encoder.forwardInChunks(images, chunk: chunk)
    }

    /// The online projector's outputs `z` (N, D) for encoder features, in evaluation mode: where a
    /// collapse of the objective shows first (the encoder's features may still look healthy).
    public func projections(ofFeatures f: Tensor<Scalar>, chunk: Int = 512) -> Tensor<Scalar> {
        let wasTraining = projector.isTraining
        projector.isTraining = false
        defer { projector.isTraining = wasTraining }
        return projector.forwardInChunks(f, chunk: chunk)
    }
}
