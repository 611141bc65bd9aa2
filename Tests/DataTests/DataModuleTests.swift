import Testing
import Data

@Suite struct DataModuleTests {}
