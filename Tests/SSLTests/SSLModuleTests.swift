import Testing
import SSL

@Suite struct SSLModuleTests {}
