import Foundation
import TensorCore

/// The group of one process: every collective is the identity. What a run uses when it was not
/// started by `mpirun`, so that single-machine training is unchanged.
public final class SingleProcessCommunicator: Communicator {
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public func allReduceSum<S: BLASScalar>(_ values: inout [S]) {}
    public func allGather<S: BLASScalar>(_ values: [S]) -> [S] { values }
    public func broadcast<S: BLASScalar>(_ values: inout [S], root: Int) {
        precondition(root == 0, "broadcast root \(root) out of range 0..<1")
    }
    public func barrier() {}
    public func abort(code: Int32) -> Never { exit(code) }
}
