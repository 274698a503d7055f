import Foundation
import PipeCache
import PipeCore
import PipeSpec
import PipeStages

extension Engine {
    /// `pipe task exec`: runs one task an executor submitted, on this node,
    /// through the same `execute` as a local run (scratch directory, input
    /// checks, ingest, then the record), and says how it went. The task is
    /// found again from the spec and its inputs, and refused unless its key
    /// is the one the planner computed, so a spec edited since submission can
    /// never store a result under the wrong key. The planner holds the
    /// task's lock meanwhile; this process holds the cache's shared lock.
    public func runSubmitted(_ invocation: TaskInvocation) async -> WorkerOutcome {
        let started = Date()
        func outcome(_ status: WorkerOutcome.Status, _ message: String? = nil, log: String? = nil) -> WorkerOutcome {
            WorkerOutcome(key: invocation.key, status: status, message: message, log: log,
                          seconds: Date().timeIntervalSince(started))
        }
        do {
            let lock = try CacheLock.shared(root: cache.root)
            defer { lock.release() }
            if case .hit = cache.lookup(invocation.key) { return outcome(.ran) }  // an earlier attempt finished it
            let (stage, implementation) = try submittedStage(invocation)
            let inputs = try invocation.inputs.map(resolveInput)
            guard let item = try implementation.tasks(of: stage, inputs: inputs)?.first(where: { $0.index == invocation.index })
            else {
                throw StageError("stage '\(stage.name)' has no task '\(invocation.task)' any more; the spec or its inputs "
                                 + "changed since it was submitted: run 'pipe run' again")
            }
            let signature = TaskSignature(
                kind: implementation.kind, kindVersion: implementation.version,
                params: implementation.keyParams(of: stage, item: item),
                inputs: try implementation.keyInputs(of: stage, item: item, inputs: inputs), fanOut: item.index)
            guard signature.key == invocation.key else {
                throw StageError("task \(invocation.task) now has key \(signature.key.short), not the submitted "
                                 + "\(invocation.key.short); the spec or pipe changed since it was submitted: run 'pipe run' again")
            }
            _ = try await execute(stage, item: item, implementation: implementation, inputs: inputs,
                                  signature: signature, started: started)
            return outcome(.ran)
        } catch {
            return outcome(.failed, "\(error)", log: (error as? StageError)?.log)
        }
    }

    /// The stage (or data generator) an invocation names, with its kind's implementation.
    private func submittedStage(_ invocation: TaskInvocation) throws -> (StageSpec, any StageImplementation) {
        if let stage = spec.stage(invocation.stage), let implementation = registry.stages[stage.kind] {
            return (stage, implementation)
        }
        if let stage = spec.data.lazy.compactMap(\.generatorStage).first(where: { $0.name == invocation.stage }),
           let implementation = registry.generators[stage.kind] {
            return (stage, implementation)
        }
        throw StageError("the spec has no stage '\(invocation.stage)' of kind '\(invocation.kind)' any more; "
                         + "run 'pipe run' again")
    }

    /// An input as the planner saw it, its manifest re-read (from the store,
    /// or by hashing a path source, which must still have the same digest).
    private func resolveInput(_ input: TaskInput) throws -> InputArtifact {
        var manifest = cache.objects.manifest(input.digest)
        if manifest == nil {
            let (digest, hashed) = try hasher.digest(of: input.path)
            guard digest == input.digest else {
                throw StageError("input '\(input.name)' at \(input.path) changed since the task was submitted "
                                 + "(digest \(digest.short), expected \(input.digest.short)); run 'pipe run' again")
            }
            manifest = hashed
        }
        return InputArtifact(name: input.name, path: URL(fileURLWithPath: input.path), digest: input.digest,
                             relativePath: input.relativePath, manifest: manifest)
    }
}

/// What a batch job runs (`pipe task exec BUNDLE`): each task of the bundle
/// in turn through `Engine.runSubmitted`, each outcome written as soon as it
/// is known. A failed task does not stop the others: results stay per task.
public enum BundleWorker {
    /// Runs the bundle; `willStart` is told which task starts next, and `keep` whether to write a
    /// task's outcome (the worker's signal handling writes its own for a task it stopped, whose
    /// command then fails). Throws only when the spec cannot be loaded.
    public static func run(_ bundle: TaskBundle, kinds: KindRegistry, registry: StageRegistry, pipeVersion: String,
                           willStart: (Int, TaskInvocation) -> Void = { _, _ in },
                           keep: (WorkerOutcome) -> Bool = { _ in true }) async throws -> [WorkerOutcome] {
        let spec = try SpecLoader(registry: kinds, reader: .disk)
            .load(file: URL(fileURLWithPath: bundle.specFile), overrides: bundle.overrides)
        let cache = try Cache(root: bundle.cacheRoot)
        let directory = OutcomeDirectory(cacheRoot: bundle.cacheRoot)
        let engine = Engine(spec: spec, cache: cache, registry: registry, options: EngineOptions(
            jobs: bundle.threads, outputsRoot: bundle.outputsRoot, pipeVersion: pipeVersion))
        var outcomes: [WorkerOutcome] = []
        for (index, task) in bundle.tasks.enumerated() {
            willStart(index, task)
            let outcome = await engine.runSubmitted(task)
            if keep(outcome) { try directory.write(outcome) }
            outcomes.append(outcome)
        }
        return outcomes
    }
}
