// PipeCore module.
