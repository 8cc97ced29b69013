//! The commands: each turns parsed arguments into calls on the pipeline.

pub mod build;
