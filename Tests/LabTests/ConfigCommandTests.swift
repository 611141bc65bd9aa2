import Testing
import Foundation
@testable import Lab

/// The shell's `config FILE`: an official UniGrad config file loaded into the session.
@Suite struct ConfigCommandTests {
    static let barlow = """
    seed: 42 # random set
    launcher: pytorch # pytorch or slurm
    arch: 'resnet18'
    projector_input_dim: 512
    projector_hidden_dim: 256
    projector_output_dim: 64
    num_layers: 3
    base_momentum: 0.996
    base_lr: 0.05
    whole_batch_size: 32
    loss: 'loss_barlow_twins_grad_mm'
    lambd: 50   # balance factor for neg grad
    rho:        # for byol & unigrad only

    """

    @Test func configLoadsMethodHyperParametersAndArchitecture() throws {
        let t = Transcript()
        let path = Transcript.temporary("barlow.py")
        try Self.barlow.write(toFile: path, atomically: true, encoding: .utf8)
        let out = t.run("config \(path)")
        #expect(out.ok, "\(out.output)")
        #expect(out.output.contains("note: understood, no effect here: launcher"))
        #expect(out.output.contains("loaded \(path): method barlow-l2, target momentum, encoder resnet18, batch 32"))
        #expect(t.run("show lambda").output == "lambda = 50\n")
        #expect(t.run("show m0").output == "m0 = 0.996\n")
        #expect(t.run("show projector_out").output == "projector_out = 64\n")
        #expect(t.session.config.seed == 42 && t.session.config.baseLR == 0.05)
        // Settings the file leaves alone keep their session values.
        #expect(t.session.config.syntheticTrain == 256)
    }

    @Test func badFilesAreOneLineErrors() throws {
        let t = Transcript()
        let bad = Transcript.temporary("bad.py")
        try "seed: 42\nwarp: 9\n".write(toFile: bad, atomically: true, encoding: .utf8)
        #expect(t.fails("config \(bad)", with: "line 2: unknown key 'warp'"))
        try "seed: [42\n".write(toFile: bad, atomically: true, encoding: .utf8)
        #expect(t.fails("config \(bad)", with: "malformed YAML"))
        #expect(t.fails("config /nonexistent/x.py", with: "cannot read config file '/nonexistent/x.py'"))
        #expect(t.session.config.method == "unigrad")   // unchanged
    }
}
