//! Read-only views of the workspace's files: the working tree, a git revision, or memory.
//!
//! `api-diff` reads both sides of a comparison through one [`Tree`], so a revision is read
//! straight out of git (`git ls-tree`, `git cat-file`) and never checked out or written.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Why a file or a revision could not be read.
#[derive(Debug, thiserror::Error)]
pub enum TreeError {
    #[error("unknown revision `{rev}`: {message}")]
    UnknownRev { rev: String, message: String },

    #[error("`git {args}` failed in {}: {message}", root.display())]
    Git {
        root: PathBuf,
        args: String,
        message: String,
    },

    #[error("{}: cannot read: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// One entry directly inside a folder.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Entry {
    pub name: String,
    pub is_dir: bool,
}

/// A set of files addressed by paths relative to the workspace root (`/`-separated).
pub trait Tree {
    /// The entries directly inside `dir`, sorted by name; empty when `dir` does not exist.
    fn entries(&self, dir: &Path) -> Result<Vec<Entry>, TreeError>;

    /// The file's bytes, or `None` when there is no such file.
    fn read(&self, path: &Path) -> Result<Option<Vec<u8>>, TreeError>;

    /// How messages name `path`: as it is for the working tree, `REV:path` for a revision.
    fn shown(&self, path: &Path) -> PathBuf;

    /// How a report names this side: `working tree` or the revision as given.
    fn label(&self) -> String;
}

/// The files on disk under a root, optionally with some files replaced by content in memory
/// (codegen lists the public API of the code it is about to write).
pub struct WorkTree {
    root: PathBuf,
    overlay: BTreeMap<PathBuf, Vec<u8>>,
}

impl WorkTree {
    pub fn new(root: &Path) -> Self {
        WorkTree {
            root: root.to_path_buf(),
            overlay: BTreeMap::new(),
        }
    }

    /// Reads `path` (relative to the root) as `content` instead of what is on disk.
    pub fn with_file(mut self, path: impl Into<PathBuf>, content: impl Into<Vec<u8>>) -> Self {
        self.overlay.insert(path.into(), content.into());
        self
    }
}

impl Tree for WorkTree {
    fn entries(&self, dir: &Path) -> Result<Vec<Entry>, TreeError> {
        let full = self.root.join(dir);
        let read_err = |source| TreeError::Read {
            path: dir.to_path_buf(),
            source,
        };
        let mut entries = BTreeSet::new();
        match std::fs::read_dir(&full) {
            Ok(list) => {
                for entry in list {
                    let entry = entry.map_err(read_err)?;
                    let is_dir = entry.file_type().map_err(read_err)?.is_dir();
                    if let Some(name) = entry.file_name().to_str() {
                        entries.insert(Entry {
                            name: name.to_owned(),
                            is_dir,
                        });
                    }
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(read_err(e)),
        }
        for path in self.overlay.keys() {
            if let (Some(parent), Some(name)) = (path.parent(), path.file_name())
                && parent == dir
            {
                entries.insert(Entry {
                    name: name.to_string_lossy().into_owned(),
                    is_dir: false,
                });
            }
        }
        Ok(entries.into_iter().collect())
    }

    fn read(&self, path: &Path) -> Result<Option<Vec<u8>>, TreeError> {
        if let Some(content) = self.overlay.get(path) {
            return Ok(Some(content.clone()));
        }
        match std::fs::read(self.root.join(path)) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::NotFound | std::io::ErrorKind::IsADirectory
                ) =>
            {
                Ok(None)
            }
            Err(source) => Err(TreeError::Read {
                path: path.to_path_buf(),
                source,
            }),
        }
    }

    fn shown(&self, path: &Path) -> PathBuf {
        path.to_path_buf()
    }

    fn label(&self) -> String {
        "working tree".into()
    }
}

/// The files of one commit, read with git without touching the working tree or the index.
pub struct GitTree {
    root: PathBuf,
    rev: String,
    commit: String,
    /// Every file of the commit under the root, relative to the root.
    files: BTreeMap<PathBuf, String>,
}

impl GitTree {
    /// Resolves `rev` to a commit of the repository that contains `root`.
    pub fn open(root: &Path, rev: &str) -> Result<Self, TreeError> {
        // A root outside any repository fails here, not as an unknown revision.
        git(root, &["rev-parse", "--git-dir"])?;
        // `--end-of-options` keeps a REV such as `--help` from being read as an option.
        let commit = git(
            root,
            &[
                "rev-parse",
                "--verify",
                "--quiet",
                "--end-of-options",
                &format!("{rev}^{{commit}}"),
            ],
        )
        .map_err(|e| TreeError::UnknownRev {
            rev: rev.to_owned(),
            message: match e {
                TreeError::Git { message, .. } if !message.is_empty() => message,
                _ => "not a commit in this repository".into(),
            },
        })?;
        let commit = String::from_utf8_lossy(&commit).trim().to_owned();
        // Inside `root`, ls-tree lists the files under it, with paths relative to it.
        let listing = git(root, &["ls-tree", "-r", "-z", &commit])?;
        let mut files = BTreeMap::new();
        for record in listing.split(|b| *b == 0).filter(|r| !r.is_empty()) {
            let record = String::from_utf8_lossy(record);
            // `<mode> <type> <object>\t<path>`
            let Some((meta, path)) = record.split_once('\t') else {
                continue;
            };
            let mut meta = meta.split(' ');
            if let (Some(_mode), Some("blob"), Some(object)) =
                (meta.next(), meta.next(), meta.next())
            {
                files.insert(PathBuf::from(path), object.to_owned());
            }
        }
        Ok(GitTree {
            root: root.to_path_buf(),
            rev: rev.to_owned(),
            commit,
            files,
        })
    }

    /// The full commit id that the revision named.
    pub fn commit(&self) -> &str {
        &self.commit
    }
}

impl Tree for GitTree {
    fn entries(&self, dir: &Path) -> Result<Vec<Entry>, TreeError> {
        let mut entries = BTreeSet::new();
        for path in self.files.keys() {
            let Ok(rest) = path.strip_prefix(dir) else {
                continue;
            };
            let mut parts = rest.components();
            if let Some(first) = parts.next() {
                entries.insert(Entry {
                    name: first.as_os_str().to_string_lossy().into_owned(),
                    is_dir: parts.next().is_some(),
                });
            }
        }
        Ok(entries.into_iter().collect())
    }

    fn read(&self, path: &Path) -> Result<Option<Vec<u8>>, TreeError> {
        match self.files.get(path) {
            Some(object) => git(&self.root, &["cat-file", "blob", object]).map(Some),
            None => Ok(None),
        }
    }

    fn shown(&self, path: &Path) -> PathBuf {
        PathBuf::from(format!("{}:{}", self.rev, path.display()))
    }

    fn label(&self) -> String {
        self.rev.clone()
    }
}

/// Files held in memory, for tests.
#[derive(Default)]
pub struct MemoryTree {
    files: BTreeMap<PathBuf, Vec<u8>>,
}

impl MemoryTree {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with_file(mut self, path: impl Into<PathBuf>, content: impl Into<Vec<u8>>) -> Self {
        self.files.insert(path.into(), content.into());
        self
    }
}

impl Tree for MemoryTree {
    fn entries(&self, dir: &Path) -> Result<Vec<Entry>, TreeError> {
        let mut entries = BTreeSet::new();
        for path in self.files.keys() {
            if let Ok(rest) = path.strip_prefix(dir) {
                let mut parts = rest.components();
                if let Some(first) = parts.next() {
                    entries.insert(Entry {
                        name: first.as_os_str().to_string_lossy().into_owned(),
                        is_dir: parts.next().is_some(),
                    });
                }
            }
        }
        Ok(entries.into_iter().collect())
    }

    fn read(&self, path: &Path) -> Result<Option<Vec<u8>>, TreeError> {
        Ok(self.files.get(path).cloned())
    }

    fn shown(&self, path: &Path) -> PathBuf {
        path.to_path_buf()
    }

    fn label(&self) -> String {
        "memory".into()
    }
}

/// Runs git in `root` and returns its standard output.
fn git(root: &Path, args: &[&str]) -> Result<Vec<u8>, TreeError> {
    let fail = |message: String| TreeError::Git {
        root: root.to_path_buf(),
        args: args.join(" "),
        message,
    };
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .output()
        .map_err(|e| fail(format!("cannot start git: {e}")))?;
    if !output.status.success() {
        return Err(fail(
            String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        ));
    }
    Ok(output.stdout)
}
