//! `gazette theme list|copy`: the files of the default theme built into gazette, and
//! copies of them in the site's theme folder, where they override the built-in ones.

use std::path::{Path, PathBuf};

use crate::config::{self, Config};
use crate::error::{Error, Result, display_path};

#[derive(Debug, Clone, clap::Args)]
pub struct ThemeArgs {
    #[command(subcommand)]
    pub action: ThemeAction,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum ThemeAction {
    /// List the templates and files of the built-in default theme, and which the site overrides
    List(ListArgs),
    /// Copy templates or files of the built-in default theme into the site's theme folder, to edit them
    Copy(CopyArgs),
}

#[derive(Debug, Clone, clap::Args)]
pub struct ListArgs {
    /// The site folder (holding site.yaml)
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
}

#[derive(Debug, Clone, clap::Args)]
pub struct CopyArgs {
    /// What to copy, named as `gazette theme list` shows it: `article.html`,
    /// `partials/components.html`, `static/style.css`; lists them when none is given
    #[arg(value_name = "NAME")]
    pub names: Vec<String>,
    /// Copy every file of the theme (files the site already has are kept)
    #[arg(long, conflicts_with = "names")]
    pub all: bool,
    /// The site folder (holding site.yaml)
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
}

pub(crate) fn run(args: &ThemeArgs) -> Result<()> {
    match &args.action {
        ThemeAction::List(list) => print_list(&config::load_config(&list.root)?),
        ThemeAction::Copy(copy) => run_copy(copy),
    }
}

/// A file of the built-in theme: its name for the command line, where a site's copy
/// goes inside the theme folder, and its bytes.
struct ThemeFile {
    /// `article.html` for a template, `static/style.css` for another file.
    name: String,
    /// `templates/article.html`, `static/style.css`.
    rel: String,
    bytes: &'static [u8],
}

/// Templates first, then the other files, each by name.
fn theme_files() -> Vec<ThemeFile> {
    let mut files: Vec<ThemeFile> = crate::theme::default_theme_files()
        .into_iter()
        .map(|(rel, bytes)| {
            let name = rel.strip_prefix("templates/").unwrap_or(&rel).to_owned();
            ThemeFile { name, rel, bytes }
        })
        .collect();
    files.sort_by_key(|f| (f.name == f.rel, f.name.clone()));
    files
}

/// Prints a line on stdout; a reader that stopped reading (`| head`) is no error.
fn say(line: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}

/// Where the site's copy of `file` goes: the folder of the theme site.yaml names,
/// relative to the site root (`themes/default/templates/article.html`).
fn site_copy(config: &Config, file: &ThemeFile) -> PathBuf {
    Path::new("themes").join(&config.theme).join(&file.rel)
}

fn print_list(config: &Config) -> Result<()> {
    let files = theme_files();
    let width = files.iter().map(|f| f.name.chars().count()).max().unwrap_or(0);
    let folder = Path::new("themes").join(&config.theme);
    say(format_args!(
        "the built-in default theme (`gazette theme copy NAME` copies a file into `{}/`, where it overrides the built-in one):",
        display_path(&folder)
    ));
    for file in &files {
        let copy = site_copy(config, file);
        if config.root.join(&copy).exists() {
            say(format_args!("  {:width$}  overridden by {}", file.name, display_path(&copy)));
        } else {
            say(format_args!("  {}", file.name));
        }
    }
    Ok(())
}

fn run_copy(args: &CopyArgs) -> Result<()> {
    let config = config::load_config(&args.root)?;
    if args.names.is_empty() && !args.all {
        return print_list(&config);
    }
    let files = theme_files();
    let chosen: Vec<&ThemeFile> = if args.all {
        files.iter().collect()
    } else {
        let mut chosen = Vec::new();
        for name in &args.names {
            let file = find(&files, name)?;
            if !chosen.iter().any(|c: &&ThemeFile| c.rel == file.rel) {
                chosen.push(file);
            }
        }
        // Named files are checked before anything is written: all or nothing, and the
        // message names every file in the way.
        let existing: Vec<PathBuf> = chosen
            .iter()
            .map(|file| site_copy(&config, file))
            .filter(|copy| config.root.join(copy).exists())
            .collect();
        if !existing.is_empty() {
            return Err(Error::Failed(already_there(&existing, chosen.len())));
        }
        chosen
    };
    for file in chosen {
        let copy = site_copy(&config, file);
        let path = config.root.join(&copy);
        if args.all && path.exists() {
            eprintln!("kept `{}`: it already exists", display_path(&copy));
            continue;
        }
        super::write_new_file(&path, &copy, file.bytes)?;
        say(format_args!("{}", display_path(&copy)));
    }
    Ok(())
}

/// Why `theme copy` copied nothing: the site already has `existing`, `chosen` files
/// having been named in all.
fn already_there(existing: &[PathBuf], chosen: usize) -> String {
    let names: Vec<String> = existing.iter().map(|p| format!("`{}`", display_path(p))).collect();
    if chosen == 1 {
        return format!(
            "{} already exists; gazette never overwrites a file (delete or rename it to copy the default one again)",
            names[0]
        );
    }
    let (names, verb, them, ones) = match names.split_last() {
        Some((last, [])) => (last.clone(), "exists", "it", "one"),
        Some((last, rest)) => (format!("{} and {last}", rest.join(", ")), "exist", "them", "ones"),
        None => unreachable!("called with at least one file"),
    };
    let others = match existing.len() < chosen {
        true => format!(", or leave {them} out to copy the others"),
        false => String::new(),
    };
    format!(
        "{names} already {verb}, so nothing was copied; gazette never overwrites a file (delete or rename {them} to copy the default {ones} again{others})"
    )
}

/// The file `name` stands for: a template by its name (`article.html`, or
/// `templates/article.html`), another file by its path (`static/style.css`).
fn find<'a>(files: &'a [ThemeFile], name: &str) -> Result<&'a ThemeFile> {
    let name = name.trim().replace('\\', "/");
    let name = name.trim_start_matches("./");
    if let Some(file) = files.iter().find(|f| f.name == name || f.rel == name) {
        return Ok(file);
    }
    let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    let static_name = format!("static/{name}");
    let hint = if names.contains(&static_name.as_str()) {
        format!("did you mean `{static_name}`? ")
    } else if let Some(near) = crate::yaml::nearest(name, &names) {
        format!("did you mean `{near}`? ")
    } else {
        String::new()
    };
    Err(Error::Usage(format!(
        "the default theme has no `{name}`; {hint}`gazette theme list` lists its files"
    )))
}
