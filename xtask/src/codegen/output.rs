//! Writing generated files atomically and only on change, or diffing them for `--check`.

use std::fmt;
use std::path::Path;

use super::CodegenError;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Unchanged,
    Written,
    Stale,
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Status::Unchanged => "unchanged",
            Status::Written => "written",
            Status::Stale => "STALE",
        })
    }
}

/// Writes through a temporary file in the same folder and a rename, so a reader never sees
/// half a file; leaves the file (and its mtime) alone when the content is the same.
pub fn write_if_changed(path: &Path, content: &str) -> Result<Status, CodegenError> {
    if std::fs::read(path).is_ok_and(|old| old == content.as_bytes()) {
        return Ok(Status::Unchanged);
    }
    let write_err = |source| CodegenError::Write {
        path: path.to_path_buf(),
        source,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(write_err)?;
    let tmp = path.with_extension(format!("rs.tmp-{}", std::process::id()));
    std::fs::write(&tmp, content).map_err(write_err)?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        write_err(e)
    })?;
    Ok(Status::Written)
}

/// Prints a unified diff from the checked-in file to the expected content when they differ.
pub fn check(path: &Path, shown: &Path, expected: &str) -> Result<Status, CodegenError> {
    let current = match std::fs::read_to_string(path) {
        Ok(s) => s,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(source) => {
            return Err(CodegenError::Read {
                path: shown.to_path_buf(),
                source,
            });
        }
    };
    if current == expected {
        return Ok(Status::Unchanged);
    }
    let shown = shown.display().to_string();
    let diff = similar::TextDiff::from_lines(current.as_str(), expected);
    print!(
        "{}",
        diff.unified_diff()
            .context_radius(3)
            .header(&format!("a/{shown}"), &format!("b/{shown}"))
    );
    Ok(Status::Stale)
}
