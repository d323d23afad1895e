//! Rebuild when the embedded demo site changes: `include_dir!` does not tell Cargo which files it reads.

fn main() {
    println!("cargo:rerun-if-changed=fixtures/demo-site");
    println!("cargo:rerun-if-changed=build.rs");
}
