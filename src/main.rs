//! Binary entry: parse flags, run, map the outcome to an exit code (see `cli::exit`).

fn main() -> std::process::ExitCode {
    privacy_inventory::cli::main()
}
