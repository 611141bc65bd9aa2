import Methods
import TensorCore
import Testing

@Suite struct CatalogTests {
    @Test func namesAreExactlyTheDesignCatalogue() {
        #expect(MethodCatalog.names == ["moco", "simclr", "ntxent", "byol", "simsiam", "byol-directpred", "byol-grad",
                                        "barlow", "barlow-grad", "barlow-l2", "vicreg", "vicreg-grad", "unigrad"])
        for name in MethodCatalog.names {
            let m = try? MethodCatalog.make(name, Float.self)
            #expect(m?.name == name)
        }
    }

    @Test func defaultsMatchTheDesign() throws {
        #expect(try MethodCatalog.parameters(for: "unigrad").description == "lambda=100, rho=0.99")
        #expect(try MethodCatalog.parameters(for: "moco").description == "tau=0.2, queue_size=4096")
        #expect(try MethodCatalog.parameters(for: "byol-directpred").description == "eps=0.3, rho=0.99")
        #expect(try MethodCatalog.parameters(for: "barlow")["lambda"] == 0.0051)
        #expect(try MethodCatalog.parameters(for: "barlow-l2")["lambda"] == 50)
        #expect(try MethodCatalog.parameters(for: "vicreg").description == "invariance=25, variance=25, covariance=1")
        #expect(try MethodCatalog.parameters(for: "vicreg-grad")["lambda"] == 10)
        #expect(try MethodCatalog.parameters(for: "byol").entries.isEmpty)
        let kinds = Dictionary(uniqueKeysWithValues: MethodCatalog.all.map { ($0.name, $0.lossKind) })
        #expect(MethodCatalog.names.filter { kinds[$0] == .surrogate } == ["byol-grad", "barlow-grad", "barlow-l2", "vicreg-grad"])
    }

    @Test func settingsOverrideDefaultsAndReachTheMethod() throws {
        let p = try MethodCatalog.parameters(for: "unigrad", settings: ["lambda=10", " rho = 0.5 "])
        let m = try MethodCatalog.make("unigrad", Double.self, parameters: p)
        #expect(m.parameters == p)
        let u = try #require(m as? UniGradMethod<Double>)
        #expect(u.lambda == 10 && u.rho == 0.5)
        let moco = try #require(try MethodCatalog.make("moco", Float.self, settings: ["queue_size=128", "tau=0.07"]) as? MoCoMethod<Float>)
        #expect(moco.queueSize == 128 && moco.tau == Float(0.07))
    }

    @Test func badNamesAndSettingsAreTypedErrors() {
        #expect(throws: MethodError.unknownMethod("simclr2", valid: MethodCatalog.names)) {
            try MethodCatalog.descriptor(named: "simclr2")
        }
        #expect(throws: MethodError.unknownParameter(method: "byol", key: "tau", valid: [])) {
            try MethodCatalog.parameters(for: "byol", settings: ["tau=0.2"])
        }
        #expect(throws: MethodError.malformedSetting("tau")) { try MethodCatalog.parameters(for: "moco", settings: ["tau"]) }
        #expect(throws: MethodError.malformedSetting("=3")) { try MethodCatalog.parameters(for: "moco", settings: ["=3"]) }
        #expect(throws: MethodError.invalidValue(key: "tau", value: "abc", expected: "a finite number")) {
            try MethodCatalog.parameters(for: "moco", settings: ["tau=abc"])
        }
        #expect(throws: MethodError.invalidValue(key: "tau", value: "nan", expected: "a finite number")) {
            try MethodCatalog.parameters(for: "moco", settings: ["tau=nan"])
        }
        #expect(throws: MethodError.outOfRange(key: "rho", value: 1.5, range: "[0, 1]")) {
            try MethodCatalog.parameters(for: "unigrad", settings: ["rho=1.5"])
        }
        #expect(throws: MethodError.outOfRange(key: "tau", value: 0, range: "[0.0001, 100]")) {
            try MethodCatalog.parameters(for: "simclr", settings: ["tau=0"])
        }
        #expect(throws: MethodError.invalidValue(key: "queue_size", value: "10.5", expected: "an integer")) {
            try MethodCatalog.parameters(for: "moco", settings: ["queue_size=10.5"])
        }
        let e = MethodError.unknownMethod("x", valid: ["a", "b"])
        #expect(e.description == "unknown method 'x'; valid methods: a, b")
    }
}
