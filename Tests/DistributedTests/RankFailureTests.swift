import Foundation
import Testing

/// A rank that dies must end the job, not leave the others waiting in a collective forever.
@Suite(.serialized) struct RankFailureTests {
    /// The pid of the child of `parent` whose environment says it is MPI rank `rank`.
    static func rankProcess(_ rank: Int, of parent: Int32) -> Int32? {
        guard let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(parent)/task") else { return nil }
        for task in tasks {
            guard let text = try? String(contentsOfFile: "/proc/\(parent)/task/\(task)/children", encoding: .utf8) else { continue }
            for pid in text.split(separator: " ").compactMap({ Int32($0) }) {
                guard let env = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { continue }
                let vars = env.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
                if vars.contains("OMPI_COMM_WORLD_RANK=\(rank)") { return pid }
            }
        }
        return nil
    }

    @Test func killingOneRankEndsTheJobWithAMessage() throws {
        let exe = try #require(unigradExecutable(), "build the unigrad executable first")
        let mpirun = try #require(MPIRun.path, "Open MPI's mpirun is missing: `make deps` installs openmpi-bin")
        let errPath = NSTemporaryDirectory() + "unigrad-rank-failure-\(UUID().uuidString).txt"
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errPath) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: mpirun)
        p.arguments = ["-np", "2"] + MPIRun.options + [exe.path, "train", "--preset", "tiny", "--set", "batch=32",
                                                        "--set", "threads=1", "--epochs", "200", "--quick"]
        var env = ProcessInfo.processInfo.environment
        for key in env.keys where key.hasPrefix("OMPI_") || key.hasPrefix("PMIX_") { env[key] = nil }
        p.environment = env
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle(forWritingAtPath: errPath)
        let finished = DispatchSemaphore(value: 0)
        p.terminationHandler = { _ in finished.signal() }
        try p.run()
        defer { if p.isRunning { p.terminate() } }
        // Wait for rank 1 to exist, give both ranks time to enter training, then kill rank 1.
        var victim: Int32?
        for _ in 0..<300 where victim == nil {
            victim = Self.rankProcess(1, of: p.processIdentifier)
            if victim == nil { Thread.sleep(forTimeInterval: 0.1) }
        }
        let pid = try #require(victim, "rank 1 never appeared under mpirun")
        Thread.sleep(forTimeInterval: 3)
        #expect(p.isRunning, "the job ended before the kill")
        kill(pid, SIGKILL)
        let killed = Date()
        let ended = finished.wait(timeout: .now() + 60) == .success
        #expect(ended, "mpirun still running 60 s after rank 1 was killed")
        guard ended else { return }
        #expect(Date().timeIntervalSince(killed) < 30)
        #expect(p.terminationStatus != 0)
        let stderr = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        #expect(stderr.contains("rank 1") && stderr.contains("signal 9"), "stderr: \(stderr)")
    }
}
