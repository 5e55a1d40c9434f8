//! Containers: zip, tar, gzip (and tar.gz), mbox. Members are handed to a callback one at
//! a time, each read into memory up to `max_member_bytes`; the total expansion of an
//! archive is bounded absolutely and by ratio, so a zip bomb becomes an error.

use crate::config::Config;
use crate::sniff::BlobType;
use std::io::{self, Read};

/// One member of a container: its bytes, or why they could not be read.
pub type Member = Result<Vec<u8>, String>;

/// Calls `f(name, member)` for each member of `data`, a container of type `ty`.
/// `Err(reason)` when the container itself is corrupt or exceeds a limit; members handed
/// out before that still count.
pub fn expand(
    ty: BlobType,
    name: &str,
    data: &[u8],
    cfg: &Config,
    f: &mut dyn FnMut(String, Member),
) -> Result<(), String> {
    let limit = cfg.expansion_limit(data.len() as u64);
    match ty {
        BlobType::Zip => zip(data, cfg, limit, f),
        BlobType::Tar => tar(Budget::new(data, limit), cfg, f),
        BlobType::Gzip => gzip(name, data, cfg, limit, f),
        BlobType::Mbox => {
            mbox(data, f);
            Ok(())
        }
        _ => Err("not a container".into()),
    }
}

/// A reader that fails once more than `left` bytes came through it.
struct Budget<R> {
    inner: R,
    left: u64,
    limit: u64,
}

impl<R: Read> Budget<R> {
    fn new(inner: R, limit: u64) -> Self {
        Budget {
            inner,
            left: limit,
            limit,
        }
    }
}

impl<R: Read> Read for Budget<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n as u64 > self.left {
            return Err(io::Error::other(bomb(self.limit)));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

fn bomb(limit: u64) -> String {
    format!(
        "archive expands beyond {} MiB (--max-archive-bytes/--max-ratio; a zip bomb?)",
        limit >> 20
    )
}

fn read_member(r: &mut dyn Read, cfg: &Config) -> Member {
    let mut v = Vec::new();
    r.take(cfg.max_member_bytes + 1)
        .read_to_end(&mut v)
        .map_err(|e| match e.get_ref() {
            Some(inner) if e.kind() == io::ErrorKind::Other => inner.to_string(),
            _ => format!("read error ({})", e.kind()),
        })?;
    if v.len() as u64 > cfg.max_member_bytes {
        return Err(format!(
            "member larger than {} MiB (--max-member-bytes)",
            cfg.max_member_bytes >> 20
        ));
    }
    Ok(v)
}

fn zip(
    data: &[u8],
    cfg: &Config,
    limit: u64,
    f: &mut dyn FnMut(String, Member),
) -> Result<(), String> {
    let mut archive = ::zip::ZipArchive::new(io::Cursor::new(data))
        .map_err(|e| format!("corrupt zip ({})", zip_reason(&e)))?;
    let mut used = 0u64;
    for i in 0..archive.len() {
        let mut entry = match archive.by_index(i) {
            Ok(e) => e,
            Err(e) => {
                f(
                    format!("#{}", i + 1),
                    Err(format!("zip member: {}", zip_reason(&e))),
                );
                continue;
            }
        };
        if entry.is_dir() {
            continue;
        }
        let name = entry.name().replace('!', "_");
        let mut budget = Budget::new(&mut entry, limit.saturating_sub(used));
        let member = read_member(&mut budget, cfg);
        used += budget.limit - budget.left;
        if let Err(r) = &member {
            if r.starts_with("archive expands") {
                return Err(r.clone());
            }
        }
        f(name, member);
    }
    Ok(())
}

fn zip_reason(e: &::zip::result::ZipError) -> &'static str {
    use ::zip::result::ZipError;
    match e {
        ZipError::Io(_) => "truncated or unreadable",
        ZipError::InvalidArchive(_) => "invalid archive",
        ZipError::UnsupportedArchive(_) => "unsupported or encrypted",
        ZipError::FileNotFound => "member not found",
        _ => "invalid archive",
    }
}

fn tar<R: Read>(reader: R, cfg: &Config, f: &mut dyn FnMut(String, Member)) -> Result<(), String> {
    let mut archive = ::tar::Archive::new(reader);
    let entries = archive.entries().map_err(|e| tar_reason(&e))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| tar_reason(&e))?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let name = entry
            .path_bytes()
            .iter()
            .map(|&b| if b == b'!' { b'_' } else { b })
            .collect::<Vec<u8>>();
        let name = String::from_utf8_lossy(&name).into_owned();
        let member = read_member(&mut entry, cfg);
        if let Err(r) = &member {
            if r.starts_with("archive expands") {
                return Err(r.clone());
            }
        }
        f(name, member);
    }
    Ok(())
}

fn tar_reason(e: &io::Error) -> String {
    match e.get_ref() {
        Some(inner) if inner.to_string().starts_with("archive expands") => inner.to_string(),
        _ => "corrupt or truncated tar".into(),
    }
}

fn gzip(
    name: &str,
    data: &[u8],
    cfg: &Config,
    limit: u64,
    f: &mut dyn FnMut(String, Member),
) -> Result<(), String> {
    let mut dec = Budget::new(flate2::read::MultiGzDecoder::new(data), limit);
    let mut head = Vec::with_capacity(512);
    (&mut dec)
        .take(512)
        .read_to_end(&mut head)
        .map_err(|e| gz_reason(&e))?;
    if head.len() >= 262 && &head[257..262] == b"ustar" {
        return tar(io::Cursor::new(head).chain(dec), cfg, f);
    }
    let inner = name
        .strip_suffix(".gz")
        .or_else(|| name.strip_suffix(".GZ"))
        .or_else(|| name.strip_suffix(".tgz"))
        .unwrap_or(name)
        .to_string();
    match read_member(&mut io::Cursor::new(head).chain(dec), cfg) {
        Ok(v) => {
            f(inner, Ok(v));
            Ok(())
        }
        Err(r) if r.starts_with("archive expands") || r.starts_with("member larger") => Err(r),
        Err(_) => Err("corrupt or truncated gzip".into()),
    }
}

fn gz_reason(e: &io::Error) -> String {
    match e.get_ref() {
        Some(inner) if inner.to_string().starts_with("archive expands") => inner.to_string(),
        _ => "corrupt or truncated gzip".into(),
    }
}

fn mbox(data: &[u8], f: &mut dyn FnMut(String, Member)) {
    let iter = mail_parser::mailbox::mbox::MessageIterator::new(data);
    for (i, msg) in iter.enumerate() {
        let member = msg
            .map(|m| m.unwrap_contents())
            .map_err(|_| "malformed mbox entry".to_string());
        f((i + 1).to_string(), member);
    }
}
