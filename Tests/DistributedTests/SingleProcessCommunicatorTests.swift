import Testing
import TensorCore
import Distributed

@Suite struct SingleProcessCommunicatorTests {
    @Test func collectivesAreTheIdentity() {
        let c = SingleProcessCommunicator()
        #expect(c.rank == 0 && c.size == 1 && c.isRoot && !c.isDistributed)
        var v: [Float] = [1, -2.5, 3]
        c.allReduceSum(&v)
        #expect(v == [1, -2.5, 3])
        #expect(c.allGather([4.0, 5.0]) == [4.0, 5.0])
        var b: [Double] = [7, 8]
        c.broadcast(&b, root: 0)
        #expect(b == [7, 8])
        let t = Tensor<Float>(shape: [2, 2], scalars: [1, 2, 3, 4])
        #expect(c.allGatherRows(t) == t)
        #expect(c.localRows(t) == t)
        #expect(c.allReduceSum(Float(2.5)) == 2.5)
    }

    @Test func launchedSizeReadsOpenMPIsVariable() {
        #expect(Communicators.launchedSize(environment: [:]) == nil)
        #expect(Communicators.launchedSize(environment: ["OMPI_COMM_WORLD_SIZE": "4"]) == 4)
        #expect(Communicators.launchedSize(environment: ["OMPI_COMM_WORLD_SIZE": "x"]) == nil)
    }
}
