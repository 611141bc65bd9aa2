import Foundation
import SSL

/// Training progress: a one-line bar redrawn in place on a terminal (loss, positive similarity,
/// images/s, ETA), plain periodic lines otherwise.
final class ProgressPrinter {
    let interactive: Bool
    private var lastPrint = Date.distantPast
    private var barShown = false
    /// Prints nothing (the ranks other than 0 of a data-parallel run).
    let muted: Bool

    init(interactive: Bool, muted: Bool = false) {
        self.interactive = interactive
        self.muted = muted
    }

    func line(_ text: String) {
        guard !muted else { return }
        finish()
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// `resumedAt`: the step the run started from (a resumed run's ETA counts only its own steps).
    func step(_ r: StepRecord, total: Int, started: Date, resumedAt: Int = 0) {
        let now = Date()
        guard !muted else { return }
        let done = r.step + 1
        let interval = interactive ? 0.2 : 10
        guard now.timeIntervalSince(lastPrint) >= interval || done == total else { return }
        lastPrint = now
        let elapsed = now.timeIntervalSince(started)
        let eta = elapsed / Double(max(done - resumedAt, 1)) * Double(total - done)
        let status = String(format: "step %d/%d  loss %.4f  pos_sim %.3f  lr %.4f  %.0f img/s  data wait %.0f ms  ETA %@",
                            done, total, r.loss, r.positiveSimilarity, r.learningRate, r.imagesPerSecond, r.dataSeconds * 1e3,
                            Self.duration(eta))
        if interactive {
            let width = 24
            let filled = Int(Double(width) * Double(done) / Double(max(total, 1)))
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            FileHandle.standardOutput.write(Data("\r\u{1B}[2K[\(bar)] \(status)".utf8))
            barShown = true
        } else {
            FileHandle.standardOutput.write(Data((status + "\n").utf8))
        }
    }

    func epoch(_ e: EpochRecord) {
        var text = String(format: "epoch %d: loss %.4f  pos_sim %.3f  %.0f img/s  %.0f s (data wait %.2f s)",
                          e.epoch, e.loss, e.posSim, e.imagesPerSecond, e.seconds, e.dataWaitSeconds)
        if let k = e.knnTop1 { text += String(format: "  kNN %.2f%%", k) }
        if let r = e.effectiveRank { text += String(format: "  eff. rank %.1f", r) }
        if let s = e.featureStd { text += String(format: "  std %.4f", s) }
        line(text)
    }

    func finish() {
        if barShown {
            FileHandle.standardOutput.write(Data("\n".utf8))
            barShown = false
        }
    }

    static func duration(_ s: Double) -> String {
        guard s.isFinite else { return "?" }
        let t = Int(s.rounded())
        return t >= 3600 ? String(format: "%dh%02dm", t / 3600, t % 3600 / 60) : String(format: "%dm%02ds", t / 60, t % 60)
    }
}
