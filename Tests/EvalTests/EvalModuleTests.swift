import Testing
import Eval

@Suite struct EvalModuleTests {}
