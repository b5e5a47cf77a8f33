//! The configuration file: defaults for `gsl check`, read from `gsl.toml` in the current
//! (project) directory, else `$XDG_CONFIG_HOME/gsl/config.toml` (`~/.config/gsl/...`).
//! A value given on the command line wins. Paths are relative to the file.
//!
//! ```toml
//! [check]
//! pack = ["cis-aws"]          # with no PATH and no --pack
//! format = ["text", "sarif"]  # several need output-dir
//! output-dir = "reports"
//! waivers = "waivers.yaml"
//! snapshot = "acct.json"      # with no --snapshot (and no --live)
//! fail-on = "high"
//! unknown-ok = false
//! strict = true               # unseen properties are errors, as --strict
//! strict-chain = false        # as --strict-chain
//! baseline = "main.json"      # as --baseline (docs/history.md)
//! fail-on-new = true          # as --fail-on-new
//! store = "history.db"        # as --store (a file, or a postgres:// URL)
//!
//! [params]                    # values of the rules' `$Name` parameters (docs/params.md),
//! Admin_Ports = [22, 3389]    # for check, eval, test, repl and lsp; `--params FILE`
//! ```                         # replaces the names it defines

use super::check::{CheckArgs, SeverityArg};
use super::render::ReportFormat;
use gsl::params::Params;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The file name looked for in the current directory.
pub const PROJECT_FILE: &str = "gsl.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    #[serde(default)]
    check: CheckDefaults,
    /// Read again with its positions by [`params`] (`gsl::params::Params::parse_table`).
    #[serde(default)]
    #[allow(dead_code)]
    params: Option<toml::Table>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct CheckDefaults {
    #[serde(default)]
    pack: Vec<String>,
    #[serde(default)]
    format: Vec<ReportFormat>,
    output_dir: Option<PathBuf>,
    waivers: Option<PathBuf>,
    snapshot: Option<PathBuf>,
    fail_on: Option<SeverityArg>,
    unknown_ok: Option<bool>,
    strict: Option<bool>,
    strict_chain: Option<bool>,
    baseline: Option<PathBuf>,
    fail_on_new: Option<bool>,
    store: Option<PathBuf>,
}

/// The configuration file in effect, if any: `gsl.toml` here, else the user's.
pub fn find() -> Option<PathBuf> {
    let here = PathBuf::from(PROJECT_FILE);
    if here.is_file() {
        return Some(here);
    }
    let user = dirs::config_dir()?.join("gsl").join("config.toml");
    user.is_file().then_some(user)
}

fn read(path: &Path) -> miette::Result<String> {
    std::fs::read_to_string(path).map_err(|e| {
        miette::miette!(
            code = "gsl::config::io",
            help = "fix the file's permissions, or remove it",
            "cannot read {}: {e}",
            path.display()
        )
    })
}

fn load(path: &Path) -> miette::Result<Config> {
    let text = read(path)?;
    toml::from_str(&text).map_err(|e| {
        miette::miette!(
            code = "gsl::config::syntax",
            help = "the tables are [check] and [params]; the [check] keys are: pack, format, output-dir, waivers, snapshot, fail-on, unknown-ok, strict, strict-chain, baseline, fail-on-new, store (docs/reports.md)",
            "{}: {e}",
            path.display()
        )
    })
}

/// The parameters of a run: gsl's defaults, then the `[params]` table of the
/// configuration file (if there is one), then the parameters file `file` (`--params`),
/// each replacing the names the one before defined.
pub fn params(file: Option<&Path>) -> miette::Result<Arc<Params>> {
    params_from(find().as_deref(), file)
}

/// [`params`] with a given configuration file.
pub fn params_from(config: Option<&Path>, file: Option<&Path>) -> miette::Result<Arc<Params>> {
    if config.is_none() && file.is_none() {
        return Ok(Params::defaults());
    }
    let mut params = (*Params::defaults()).clone();
    if let Some(path) = config {
        // Checked as a whole by `load` first, so a bad file gets its usual message.
        load(path)?;
        let text = read(path)?;
        params.extend(Params::parse_table(&text, &path.display().to_string())?);
    }
    if let Some(file) = file {
        params.extend(Params::load(file)?);
    }
    Ok(Arc::new(params))
}

/// Fill the `gsl check` options the command line left unset from the configuration
/// file, if there is one.
pub fn apply_check(args: &mut CheckArgs) -> miette::Result<()> {
    let Some(path) = find() else {
        return Ok(());
    };
    apply_check_from(args, &path)?;
    // `gsl check` says which file applied.
    args.config = Some(path);
    Ok(())
}

/// [`apply_check`] with a given file.
pub fn apply_check_from(args: &mut CheckArgs, path: &Path) -> miette::Result<()> {
    let c = load(path)?.check;
    let base = path.parent().unwrap_or(Path::new("."));
    let rel = |p: PathBuf| if p.is_absolute() { p } else { base.join(p) };
    if args.pack.is_empty() && args.paths.is_empty() {
        args.pack = c.pack;
    }
    if args.format.is_empty() {
        args.format = c.format;
    }
    if args.output_dir.is_none() && args.output.is_none() {
        args.output_dir = c.output_dir.map(rel);
    }
    if args.waivers.is_none() {
        args.waivers = c.waivers.map(rel);
    }
    #[cfg(feature = "aws")]
    let live = args.live;
    #[cfg(not(feature = "aws"))]
    let live = false;
    if args.source.snapshot.is_none() && !live {
        args.source.snapshot = c.snapshot.map(rel);
    }
    if args.fail_on.is_none() {
        args.fail_on = c.fail_on;
    }
    if !args.unknown_ok {
        args.unknown_ok = c.unknown_ok.unwrap_or(false);
    }
    if !args.strict {
        args.strict = c.strict.unwrap_or(false);
    }
    if !args.strict_chain {
        args.strict_chain = c.strict_chain.unwrap_or(false);
    }
    if args.baseline.is_none() {
        args.baseline = c.baseline.map(rel);
    }
    if args.store.is_none() {
        // A PostgreSQL URL is not a path relative to the file.
        args.store = c
            .store
            .map(|s| match gsl::report::store::Location::of_path(&s) {
                gsl::report::store::Location::Postgres(_) => s,
                gsl::report::store::Location::Sqlite(_) => rel(s),
            });
    }
    if !args.fail_on_new {
        args.fail_on_new = c.fail_on_new.unwrap_or(false);
    }
    Ok(())
}
