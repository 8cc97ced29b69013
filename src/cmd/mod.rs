//! The commands: each turns parsed arguments into calls on the pipeline.

pub mod build;
pub mod check;
pub mod init;
pub mod new;
pub mod serve;
