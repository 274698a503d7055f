// PipeStages module.
