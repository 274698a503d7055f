// PipeSpec module.
