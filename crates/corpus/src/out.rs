//! Writing blobs under the corpus directory, hashing them as they are written and
//! absorbing their truth into the running total.

use crate::truth::{Kind, Sub, Total};
use crate::Error;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// A writer that hashes and counts what passes through it.
pub(crate) struct HashWriter<W: Write> {
    inner: W,
    hasher: blake3::Hasher,
    size: u64,
}

impl<W: Write> HashWriter<W> {
    pub(crate) fn new(inner: W) -> Self {
        HashWriter {
            inner,
            hasher: blake3::Hasher::new(),
            size: 0,
        }
    }
    /// The hash and size so far, and the inner writer.
    pub(crate) fn finish(self) -> (String, u64, W) {
        (
            self.hasher.finalize().to_hex().to_string(),
            self.size,
            self.inner,
        )
    }
}

impl<W: Write> Write for HashWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// The corpus directory being written.
pub(crate) struct Out {
    root: PathBuf,
    pub total: Total,
    /// Bytes written so far.
    pub bytes: u64,
    /// When set, the decoded `From` display name of every `.eml` file written
    /// (path, name), for self-checks.
    pub from_log: Option<Vec<(String, Option<String>)>>,
}

impl Out {
    pub(crate) fn new(root: &Path) -> Out {
        Out {
            root: root.to_path_buf(),
            total: Total::default(),
            bytes: 0,
            from_log: None,
        }
    }

    fn create(&self, rel: &str) -> Result<(File, PathBuf), Error> {
        let path = self.root.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        let f = File::create(&path).map_err(|e| Error::io(&path, e))?;
        Ok((f, path))
    }

    /// Writes `bytes` at `rel`; `sub` must be sealed with these bytes.
    pub(crate) fn write(&mut self, rel: &str, bytes: &[u8], sub: &Sub) -> Result<(), Error> {
        let (mut f, path) = self.create(rel)?;
        f.write_all(bytes).map_err(|e| Error::io(&path, e))?;
        self.bytes += bytes.len() as u64;
        self.total.absorb(rel, sub);
        Ok(())
    }

    /// Seals `sub` with `bytes` as `kind` and writes it at `rel`.
    pub(crate) fn write_doc(
        &mut self,
        rel: &str,
        kind: Kind,
        bytes: &[u8],
        mut sub: Sub,
    ) -> Result<Sub, Error> {
        sub.seal(kind, bytes);
        self.write(rel, bytes, &sub)?;
        Ok(sub)
    }

    /// Streams a blob of `kind` to `rel` through `fill`, which records into the sub it is
    /// given. Returns the sealed sub.
    pub(crate) fn stream<F>(&mut self, rel: &str, kind: Kind, fill: F) -> Result<Sub, Error>
    where
        F: FnOnce(&mut dyn Write, &mut Sub) -> io::Result<()>,
    {
        let (f, path) = self.create(rel)?;
        let mut w = HashWriter::new(BufWriter::with_capacity(1 << 16, f));
        let mut sub = Sub::default();
        fill(&mut w, &mut sub).map_err(|e| Error::io(&path, e))?;
        let (hash, size, mut inner) = w.finish();
        inner.flush().map_err(|e| Error::io(&path, e))?;
        sub.seal_hashed(kind, hash, size);
        self.bytes += size;
        self.total.absorb(rel, &sub);
        Ok(sub)
    }

    /// Copies the blob at `from` (written before, with truth `sub`) to `to`: an exact
    /// duplicate, whose whole subtree counts again.
    pub(crate) fn duplicate(&mut self, from: &str, to: &str, sub: &Sub) -> Result<(), Error> {
        let src = self.root.join(from);
        let (_, dst) = self.create(to)?;
        let n = std::fs::copy(&src, &dst).map_err(|e| Error::io(&dst, e))?;
        self.bytes += n;
        self.total.absorb(to, sub);
        Ok(())
    }

    /// Records the decoded `From` display name of an `.eml` written at `rel`.
    pub(crate) fn log_from(&mut self, rel: &str, name: Option<&str>) {
        if let Some(log) = &mut self.from_log {
            log.push((rel.to_owned(), name.map(str::to_owned)));
        }
    }
}
