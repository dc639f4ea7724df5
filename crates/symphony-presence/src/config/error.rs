//! [`ConfigError`] and the [`Location`] it points at.

use std::fmt;
use std::path::PathBuf;

/// Where in the configuration a value was found.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Location {
    /// The file, when the configuration was read with [`Config::from_file`](super::Config::from_file).
    pub file: Option<PathBuf>,
    /// The line, from 1.
    pub line: usize,
    /// The column, from 1.
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.file {
            Some(file) => write!(f, "{}:{}:{}", file.display(), self.line, self.column),
            None => write!(f, "line {}, column {}", self.line, self.column),
        }
    }
}

/// Why a configuration could not be read.
///
/// Keys are named by their full path (`pod.port`, `bot.privateKey.path`). No variant holds or
/// prints a value from the configuration, so a password or key in the file cannot leak through
/// an error message.
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read (not found, not readable, not UTF-8).
    #[error("cannot read the configuration file {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The underlying error (shared, so that the error can be cloned).
        #[source]
        source: std::sync::Arc<std::io::Error>,
    },
    /// The text is neither YAML nor JSON.
    #[error("the configuration is not valid YAML or JSON ({location}): {message}")]
    Syntax {
        /// The YAML parser's description.
        message: String,
        /// Where the parser stopped.
        location: Location,
    },
    /// A value has the wrong type, such as `port: abc` or `bot: 5`.
    #[error("`{key}`: expected {expected}, found {found} ({location})")]
    WrongType {
        /// The key's path.
        key: String,
        /// What the key takes.
        expected: &'static str,
        /// What was there (`a string`, `a mapping`...), never the value itself.
        found: &'static str,
        /// Where the value is.
        location: Location,
    },
    /// A value has the right type but is out of range or malformed, such as `port: 70000`.
    #[error("`{key}`: expected {expected} ({location})")]
    InvalidValue {
        /// The key's path.
        key: String,
        /// What the key takes.
        expected: &'static str,
        /// Where the value is.
        location: Location,
    },
    /// A required key is missing, such as the pod's `host`.
    #[error("`{key}` is required")]
    Missing {
        /// The key's path.
        key: String,
        /// Where the mapping that lacks it starts, if there is one.
        location: Option<Location>,
    },
    /// A `${NAME}` placeholder names an environment variable that is not set and has no
    /// `:-default`.
    #[error("`{key}` uses the environment variable `{variable}`, which is not set ({location})")]
    UnsetVariable {
        /// The key's path.
        key: String,
        /// The variable's name.
        variable: String,
        /// Where the value is.
        location: Location,
    },
    /// A `${` without its `}`, an empty name, or a placeholder inside a placeholder.
    #[error("`{key}` has a malformed `${{...}}` placeholder ({location})")]
    MalformedPlaceholder {
        /// The key's path.
        key: String,
        /// Where the value is.
        location: Location,
    },
    /// Two keys that exclude each other are both set, such as `bot.privateKey.path` and
    /// `bot.privateKey.content`.
    #[error("`{key}` and `{other}` cannot both be set ({location})")]
    Conflict {
        /// The key found second.
        key: String,
        /// The key it conflicts with.
        other: String,
        /// Where the key found second is.
        location: Location,
    },
    /// [`Config::from_symphony_dir`](super::Config::from_symphony_dir) found no home directory.
    #[error("no home directory in which to look for `.symphony`")]
    NoHomeDirectory,
}
