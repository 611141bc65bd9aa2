import Testing
import Checkpoints

@Suite struct CheckpointsModuleTests {}
