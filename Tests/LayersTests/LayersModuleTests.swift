import Testing
import Layers

@Suite struct LayersModuleTests {}
