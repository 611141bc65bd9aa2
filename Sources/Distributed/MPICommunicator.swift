import Foundation
import TensorCore
import CMPI

/// `MPI_COMM_WORLD` of Open MPI.
///
/// `allReduceSum` is `MPI_Reduce` (sum) onto rank 0 followed by `MPI_Bcast`, so every rank gets
/// rank 0's bits (MPI only *advises* implementations to give identical results on all ranks).
/// Large buffers go in chunks of at most 2²⁸ elements (MPI counts are `int`). Errors use Open MPI's
/// default `MPI_ERRORS_ARE_FATAL`: a failed call, or a peer that dies, ends the whole job.
///
/// Reference: MPI 4.0 §6.9 (`MPI_Reduce`), §6.4 (`MPI_Bcast`), §6.7 (`MPI_Allgather`).
public final class MPICommunicator: Communicator {
    public let rank: Int
    public let size: Int
    static let chunk = 1 << 28

    /// Initialises MPI (once per process; `MPI_Finalize` runs at normal exit).
    init() {
        if unigrad_mpi_is_initialized() == 0 {
            let rc = unigrad_mpi_init()
            precondition(rc == 0, "MPI_Init failed with code \(rc)")
            atexit {
                if unigrad_mpi_is_initialized() != 0 && unigrad_mpi_is_finalized() == 0 { _ = unigrad_mpi_finalize() }
            }
        }
        rank = Int(unigrad_mpi_rank())
        size = Int(unigrad_mpi_size())
    }

    static func kind<S: BLASScalar>(_: S.Type) -> Int32 {
        if S.self == Float.self { return 0 }
        if S.self == Double.self { return 1 }
        preconditionFailure("MPICommunicator: no MPI datatype for \(S.self)")
    }

    public func allReduceSum<S: BLASScalar>(_ values: inout [S]) {
        let k = Self.kind(S.self), total = values.count
        values.withUnsafeMutableBufferPointer { p in
            guard let base = p.baseAddress else { return }
            var start = 0
            while start < total {
                let n = min(Self.chunk, total - start)
                check(unigrad_mpi_reduce_sum(base + start, Int32(n), k, 0), "MPI_Reduce")
                check(unigrad_mpi_bcast(base + start, Int32(n), k, 0), "MPI_Bcast")
                start += n
            }
        }
    }

    public func allGather<S: BLASScalar>(_ values: [S]) -> [S] {
        precondition(values.count <= Self.chunk, "allGather of \(values.count) values per rank exceeds \(Self.chunk)")
        let k = Self.kind(S.self), n = values.count
        var out = [S](repeating: 0, count: n * size)
        values.withUnsafeBufferPointer { sp in
            out.withUnsafeMutableBufferPointer { rp in
                guard let r = rp.baseAddress else { return }
                check(unigrad_mpi_allgather(sp.baseAddress, r, Int32(n), k), "MPI_Allgather")
            }
        }
        return out
    }

    public func broadcast<S: BLASScalar>(_ values: inout [S], root: Int) {
        precondition(root >= 0 && root < size, "broadcast root \(root) out of range 0..<\(size)")
        let k = Self.kind(S.self), total = values.count
        values.withUnsafeMutableBufferPointer { p in
            guard let base = p.baseAddress else { return }
            var start = 0
            while start < total {
                let n = min(Self.chunk, total - start)
                check(unigrad_mpi_bcast(base + start, Int32(n), k, Int32(root)), "MPI_Bcast")
                start += n
            }
        }
    }

    public func barrier() { check(unigrad_mpi_barrier(), "MPI_Barrier") }

    public func abort(code: Int32) -> Never {
        _ = unigrad_mpi_abort(code)
        exit(code)
    }

    /// With `MPI_ERRORS_ARE_FATAL` a failing call does not return; this is a second line of defence.
    private func check(_ rc: Int32, _ call: String) {
        if rc != 0 {
            FileHandle.standardError.write(Data("error: \(call) failed with MPI error \(rc) on rank \(rank)\n".utf8))
            abort(code: 3)
        }
    }
}
