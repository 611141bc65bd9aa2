import Foundation

/// How a process finds its group.
public enum Communicators {
    /// The number of processes `mpirun` started, from Open MPI's `OMPI_COMM_WORLD_SIZE`
    /// (`nil` when not launched by Open MPI's `mpirun`).
    public static func launchedSize(environment: [String: String] = ProcessInfo.processInfo.environment) -> Int? {
        environment["OMPI_COMM_WORLD_SIZE"].flatMap { Int($0) }
    }

    /// `MPI_COMM_WORLD` when this process was started by `mpirun` with more than one rank,
    /// otherwise the single-process group (MPI is then never initialised). Call once per process.
    public static func world() -> any Communicator {
        guard let n = launchedSize(), n > 1 else { return SingleProcessCommunicator() }
        return MPICommunicator()
    }
}

extension Communicators {
    /// The number of ranks `mpirun` started on this host (`OMPI_COMM_WORLD_LOCAL_SIZE`), if any.
    public static func localSize(environment: [String: String] = ProcessInfo.processInfo.environment) -> Int? {
        environment["OMPI_COMM_WORLD_LOCAL_SIZE"].flatMap { Int($0) }
    }
}
