//! Files, directories and stdin. Directories are walked recursively in path order
//! (deterministic), symbolic links are not followed, big files are memory-mapped.

use crate::error::{Error, ErrorKind};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Where a top-level blob comes from.
#[derive(Clone)]
pub enum Input {
    /// A regular file.
    File(PathBuf),
    /// Standard input (`-`).
    Stdin,
    /// A blob fetched when a worker opens it (an object in a cloud container), streamed
    /// into memory and never written to disk. Errors are `unreadable` reasons.
    Remote(std::sync::Arc<dyn Fn() -> Result<Vec<u8>, String> + Send + Sync>),
}

impl std::fmt::Debug for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Input::File(p) => f.debug_tuple("File").field(p).finish(),
            Input::Stdin => f.write_str("Stdin"),
            Input::Remote(_) => f.write_str("Remote"),
        }
    }
}

/// A top-level blob to scan.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Where to read it.
    pub input: Input,
    /// Its logical path as shown in reports.
    pub path: String,
    /// Its size in bytes, if known before reading.
    pub size: u64,
}

/// Expands the sources given by a user into the files to scan. A source that does not
/// exist or cannot be read is an error (nothing is scanned); unreadable entries *inside*
/// a directory are skipped and counted by the caller.
pub fn walk(sources: &[PathBuf]) -> Result<Vec<Entry>, Error> {
    let mut out = Vec::new();
    for src in sources {
        if src.as_os_str() == "-" {
            out.push(Entry {
                input: Input::Stdin,
                path: "-".into(),
                size: 0,
            });
            continue;
        }
        let meta = std::fs::metadata(src).map_err(|e| {
            Error::new(
                ErrorKind::Source,
                format!("cannot read source {}: {}", src.display(), io_reason(&e)),
            )
        })?;
        if meta.is_dir() {
            walk_dir(src, &mut out).map_err(|e| {
                Error::new(
                    ErrorKind::Source,
                    format!("cannot list source {}: {}", src.display(), io_reason(&e)),
                )
            })?;
        } else {
            out.push(Entry {
                input: Input::File(src.clone()),
                path: src.display().to_string(),
                size: meta.len(),
            });
        }
    }
    Ok(out)
}

fn walk_dir(dir: &Path, out: &mut Vec<Entry>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let Ok(ft) = e.file_type() else { continue };
        let path = e.path();
        if ft.is_dir() {
            // A subdirectory we cannot list is skipped, not fatal.
            let _ = walk_dir(&path, out);
        } else if ft.is_file() {
            let size = e.metadata().map(|m| m.len()).unwrap_or(0);
            out.push(Entry {
                path: path.display().to_string(),
                input: Input::File(path),
                size,
            });
        }
    }
    Ok(())
}

/// The bytes of a top-level blob: memory-mapped when large, read when small.
pub enum Bytes {
    /// Read into memory.
    Owned(Vec<u8>),
    /// Memory-mapped.
    Mapped(memmap2::Mmap),
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Owned(v) => v,
            Bytes::Mapped(m) => m,
        }
    }
}

impl Entry {
    /// Opens the blob. Errors are reasons fit for an `unreadable` entry.
    pub fn open(&self) -> Result<Bytes, String> {
        match &self.input {
            Input::Stdin => {
                // Spool to an anonymous temporary file so that stdin is mapped, not held.
                let mut tmp = tempfile::tempfile().map_err(|e| io_reason(&e))?;
                std::io::copy(&mut std::io::stdin().lock(), &mut tmp).map_err(|e| io_reason(&e))?;
                map(&tmp)
            }
            Input::Remote(fetch) => fetch().map(Bytes::Owned),
            Input::File(p) => {
                let mut f = std::fs::File::open(p).map_err(|e| io_reason(&e))?;
                let len = f.metadata().map_err(|e| io_reason(&e))?.len();
                if len < (1 << 20) {
                    let mut v = Vec::with_capacity(len as usize);
                    f.read_to_end(&mut v).map_err(|e| io_reason(&e))?;
                    Ok(Bytes::Owned(v))
                } else {
                    map(&f)
                }
            }
        }
    }
}

fn map(f: &std::fs::File) -> Result<Bytes, String> {
    if f.metadata().map(|m| m.len()).unwrap_or(0) == 0 {
        return Ok(Bytes::Owned(Vec::new()));
    }
    // SAFETY: the file is only read; if another process truncates it while we scan,
    // reads past the new end fault — the same trade-off ripgrep makes for speed.
    unsafe { memmap2::Mmap::map(f) }
        .map(Bytes::Mapped)
        .map_err(|e| io_reason(&e))
}

/// An I/O error as a reason, without the path (paths never go into messages twice).
pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => format!("I/O error ({})", e.kind()),
    }
}
