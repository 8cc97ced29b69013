//! The gazette command: parses argv, runs the command, sets the exit code.

use clap::Parser;

fn main() {
    let cli = gazette::cli::Cli::parse();
    std::process::exit(gazette::cli::run(cli));
}
