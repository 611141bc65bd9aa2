import Testing
import Methods

@Suite struct MethodsModuleTests {}
