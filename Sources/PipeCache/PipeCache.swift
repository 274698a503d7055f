// PipeCache module.
