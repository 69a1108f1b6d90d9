//! The file system through pathnames: `DIRECTORY` (wildcards `*` and `**`, as SBCL
//! matches them), `ENSURE-DIRECTORIES-EXIST`, `RENAME-FILE` and `FILE-WRITE-DATE`.

use std::path::{Path, PathBuf};

use super::super::error::{ErrorKind, LispError, LispResult};
use super::super::image::Image;
use super::super::pathname::{DirectoryPart, Part, Pathname};
use super::super::value::Value;
use super::pathnames::{designated, designated_pathname, make, truename};
use super::{BuiltinTable, value};

/// Seconds from 1900-01-01 (universal time) to 1970-01-01 (Unix time).
const UNIX_EPOCH_UNIVERSAL: u64 = 2_208_988_800;

/// How many directories one `DIRECTORY` call may walk (a `**` over a whole disk).
const MAX_DIRECTORIES_WALKED: usize = 100_000;

pub fn install(table: &mut BuiltinTable, image: &mut Image) -> LispResult<()> {
    let cl = image.pkg.cl;
    table.define(image, cl, "DIRECTORY", (1, None), |vm, t, a| {
        let pattern = designated_pathname(vm, t, a[0])?;
        let mut found = Vec::new();
        for path in matching(&pattern)? {
            if let Some(name) = truename(&path.to_string_lossy()) {
                found.push(name);
            }
        }
        found.sort_by_key(Pathname::namestring);
        found.dedup();
        let mut items = Vec::with_capacity(found.len());
        for pathname in found {
            items.push(make(vm, pathname)?);
        }
        value(vm.image.list(&items)?)
    })?;
    table.define(
        image,
        cl,
        "ENSURE-DIRECTORIES-EXIST",
        (1, None),
        |vm, t, a| {
            let pathname = designated_pathname(vm, t, a[0])?;
            let directory = pathname.directory_namestring();
            let existed = directory.is_empty() || Path::new(&directory).is_dir();
            if !existed && let Err(error) = std::fs::create_dir_all(&directory) {
                return Err(LispError::new(
                    ErrorKind::FileError(a[0]),
                    format!("cannot create the directory {directory:?}: {error}"),
                ));
            }
            thread_values(t, &[a[0], vm.image.boolean(!existed)]);
            value(a[0])
        },
    )?;
    table.define(image, cl, "RENAME-FILE", (2, Some(2)), |vm, t, a| {
        let from = designated_pathname(vm, t, a[0])?;
        let Some(old_truename) = truename(&from.namestring()) else {
            return Err(LispError::new(
                ErrorKind::FileError(a[0]),
                format!("The file {:?} does not exist.", from.namestring()),
            ));
        };
        let to = designated(vm, a[1])?.merge(&from);
        if let Err(error) = std::fs::rename(old_truename.namestring(), to.namestring()) {
            return Err(LispError::new(
                ErrorKind::FileError(a[0]),
                format!("cannot rename {:?}: {error}", from.namestring()),
            ));
        }
        let new_truename = truename(&to.namestring()).unwrap_or_else(|| to.clone());
        let to = make(vm, to)?;
        let old = make(vm, old_truename)?;
        let new = make(vm, new_truename)?;
        thread_values(t, &[to, old, new]);
        value(to)
    })?;
    table.define(image, cl, "FILE-WRITE-DATE", (1, Some(1)), |vm, t, a| {
        let name = designated_pathname(vm, t, a[0])?.namestring();
        let modified = std::fs::metadata(&name).and_then(|metadata| metadata.modified());
        match modified {
            Ok(time) => {
                let unix = time
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |since| since.as_secs());
                value(Value::Fixnum((unix + UNIX_EPOCH_UNIVERSAL) as i64))
            }
            Err(error) => Err(LispError::new(
                ErrorKind::FileError(a[0]),
                format!("Failed to find the WRITE-DATE of {name}: {error}"),
            )),
        }
    })?;
    Ok(())
}

fn thread_values(thread: &mut super::super::thread::LispThread, values: &[Value]) {
    thread.mv = Some(smallvec::SmallVec::from_slice(values));
}

/// The files and directories `pattern` matches (not yet resolved).
fn matching(pattern: &Pathname) -> LispResult<Vec<PathBuf>> {
    let mut directories = vec![match &pattern.directory {
        Some(directory) if directory.absolute => PathBuf::from("/"),
        _ => PathBuf::from("."),
    }];
    let mut walked = 0;
    for part in pattern.directory.iter().flat_map(|d| d.parts.iter()) {
        let mut next = Vec::new();
        for base in &directories {
            match part {
                DirectoryPart::Name(name) => next.push(base.join(name)),
                DirectoryPart::Up => next.push(base.join("..")),
                DirectoryPart::Home => {
                    next.push(PathBuf::from(std::env::var("HOME").unwrap_or_default()))
                }
                DirectoryPart::Wild => next.extend(subdirectories(base)),
                DirectoryPart::WildInferiors => {
                    let mut pending = vec![base.clone()];
                    while let Some(directory) = pending.pop() {
                        walked += 1;
                        if walked > MAX_DIRECTORIES_WALKED {
                            return Err(LispError::simple(format!(
                                "DIRECTORY walked more than {MAX_DIRECTORIES_WALKED} directories"
                            )));
                        }
                        pending.extend(subdirectories(&directory));
                        next.push(directory);
                    }
                }
            }
        }
        directories = next;
    }
    if pattern.name.is_none() && pattern.kind.is_none() {
        return Ok(directories.into_iter().filter(|d| d.is_dir()).collect());
    }
    let mut found = Vec::new();
    for directory in directories {
        let Ok(entries) = std::fs::read_dir(&directory) else {
            continue;
        };
        for entry in entries.flatten() {
            let entry_name = entry.file_name().to_string_lossy().into_owned();
            let is_directory = entry.path().is_dir();
            let wanted = if is_directory {
                // A directory has no type: `*` and `*.*` match it, `*.log` does not.
                matches!(pattern.kind, None | Some(Part::Wild))
                    && matches(pattern.name.as_ref(), Some(&Part::Text(entry_name)))
            } else {
                let candidate = Pathname::parse(&entry_name);
                matches(pattern.name.as_ref(), candidate.name.as_ref())
                    && matches(pattern.kind.as_ref(), candidate.kind.as_ref())
            };
            if wanted {
                found.push(entry.path());
            }
        }
    }
    Ok(found)
}

fn subdirectories(directory: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(directory)
        .map(|entries| {
            entries
                .flatten()
                .map(|entry| entry.path())
                .filter(|path| path.is_dir())
                .collect()
        })
        .unwrap_or_default()
}

/// Whether a name or type component matches the pattern's: `*` matches anything (a
/// missing type too), `*` inside a text matches any run of characters.
fn matches(pattern: Option<&Part>, candidate: Option<&Part>) -> bool {
    match (pattern, candidate) {
        (Some(Part::Wild), _) => true,
        (None, None) => true,
        (Some(Part::Text(pattern)), Some(Part::Text(text))) => glob(pattern, text),
        _ => false,
    }
}

fn glob(pattern: &str, text: &str) -> bool {
    let Some((first, rest)) = pattern.split_once('*') else {
        return pattern == text;
    };
    let Some(mut remaining) = text.strip_prefix(first) else {
        return false;
    };
    let pieces: Vec<&str> = rest.split('*').collect();
    for (index, piece) in pieces.iter().enumerate() {
        if index == pieces.len() - 1 {
            return remaining.ends_with(piece);
        }
        match remaining.find(piece) {
            Some(at) => remaining = &remaining[at + piece.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn globs_match_runs_of_characters() {
        assert!(glob("a*.log", "a.log"));
        assert!(glob("a*", "abc"));
        assert!(glob("*b*", "abc"));
        assert!(!glob("a*c", "abd"));
        assert!(glob("x", "x"));
        assert!(!glob("x", "xy"));
    }
}
