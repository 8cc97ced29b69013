//! Computes `GAZETTE_BUILD_ID`: a hash of everything that decides what this gazette
//! writes (its sources, embedded translations and data, the locked dependency versions,
//! the enabled features and the compiler). The build cache is valid only for the same
//! identity, so a development build invalidates it like an upgrade does, while the same
//! build installed again (in CI, say) keeps it, at no cost at run time.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn main() {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let mut paths = Vec::new();
    files(&root.join("src"), &mut paths);
    paths.extend(["Cargo.toml", "Cargo.lock", "build.rs"].map(|name| root.join(name)));
    paths.sort();
    let mut hasher = DefaultHasher::new();
    for path in &paths {
        path.strip_prefix(&root).unwrap_or(path).hash(&mut hasher);
        std::fs::read(path).unwrap_or_default().hash(&mut hasher);
    }
    let mut features: Vec<String> =
        std::env::vars().map(|(k, _)| k).filter(|k| k.starts_with("CARGO_FEATURE_")).collect();
    features.sort();
    features.hash(&mut hasher);
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let version = std::process::Command::new(rustc)
        .arg("--version")
        .output()
        .map(|o| o.stdout)
        .unwrap_or_default();
    version.hash(&mut hasher);
    std::env::var("TARGET").unwrap_or_default().hash(&mut hasher);
    std::env::var("PROFILE").unwrap_or_default().hash(&mut hasher);
    println!("cargo:rustc-env=GAZETTE_BUILD_ID={:016x}", hasher.finish());
    for name in ["src", "Cargo.toml", "Cargo.lock", "build.rs"] {
        println!("cargo:rerun-if-changed={name}");
    }
}
