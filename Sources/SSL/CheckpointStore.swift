import Foundation
public struct CheckpointStore { public var exists: Bool { false }; public var path = ""
 public func save(_ t: Trainer, config: TrainingConfig) throws {}; public func load(into t: Trainer, config: TrainingConfig) throws {} }
