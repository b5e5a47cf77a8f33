fn main() -> std::process::ExitCode {
    gsl::cli::main()
}
