// PipeEngine module.
