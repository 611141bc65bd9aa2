import Testing
import Optim

@Suite struct OptimModuleTests {}
