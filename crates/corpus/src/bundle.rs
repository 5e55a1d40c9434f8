//! Containers: zip (deflate, fixed timestamps), tar.gz (fixed headers) and plain gzip,
//! built in memory from members whose truth is already known.

use crate::text::Stamp;
use crate::truth::{Kind, Sub};
use flate2::{write::GzEncoder, Compression, GzBuilder};
use std::io::{self, Cursor, Write};

/// A member of a container: path inside it, bytes, sealed truth.
pub(crate) struct Member {
    pub name: String,
    pub bytes: Vec<u8>,
    pub sub: Sub,
}

impl Member {
    /// A member whose truth `sub` is sealed here as `kind`.
    pub(crate) fn new(name: &str, kind: Kind, bytes: Vec<u8>, mut sub: Sub) -> Member {
        sub.seal(kind, &bytes);
        Member {
            name: name.to_owned(),
            bytes,
            sub,
        }
    }
}

fn container(members: &[Member], kind: Kind, bytes: &[u8]) -> Sub {
    let mut sub = Sub::default();
    for m in members {
        sub.nest(&m.name, &m.sub);
    }
    sub.seal(kind, bytes);
    sub
}

/// A zip of `members`; every entry has the same fixed modification time.
pub(crate) fn zip(members: &[Member], at: Stamp) -> io::Result<(Vec<u8>, Sub)> {
    let (y, mo, d, h, mi) = at.ymdhm();
    let time = zip::DateTime::from_date_and_time(y, mo, d, h, mi, 0)
        .map_err(|_| io::Error::other("zip date out of range"))?;
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(time)
        .unix_permissions(0o644);
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for m in members {
        w.start_file(m.name.as_str(), opts)
            .map_err(io::Error::other)?;
        w.write_all(&m.bytes)?;
    }
    let bytes = w.finish().map_err(io::Error::other)?.into_inner();
    let sub = container(members, Kind::Zip, &bytes);
    Ok((bytes, sub))
}

/// A gzip stream of `data` with a zero header timestamp.
fn gzip(data: &[u8]) -> io::Result<Vec<u8>> {
    let mut e: GzEncoder<Vec<u8>> = GzBuilder::new()
        .mtime(0)
        .operating_system(255)
        .write(Vec::new(), Compression::default());
    e.write_all(data)?;
    e.finish()
}

/// A tar.gz of `members` with fixed owner, mode and time.
pub(crate) fn tar_gz(members: &[Member], at: Stamp) -> io::Result<(Vec<u8>, Sub)> {
    let mut b = tar::Builder::new(Vec::new());
    for m in members {
        let mut h = tar::Header::new_gnu();
        h.set_path(&m.name)?;
        h.set_size(m.bytes.len() as u64);
        h.set_mode(0o644);
        h.set_mtime(at.unix());
        h.set_uid(1000);
        h.set_gid(1000);
        h.set_username("crm")?;
        h.set_groupname("crm")?;
        h.set_entry_type(tar::EntryType::Regular);
        h.set_cksum();
        b.append(&h, m.bytes.as_slice())?;
    }
    let tar = b.into_inner()?;
    let bytes = gzip(&tar)?;
    let sub = container(members, Kind::TarGz, &bytes);
    Ok((bytes, sub))
}

/// A `.gz` of one member (named by the file name without `.gz`).
pub(crate) fn gz(member: &Member) -> io::Result<(Vec<u8>, Sub)> {
    let bytes = gzip(&member.bytes)?;
    let sub = container(std::slice::from_ref(member), Kind::Gz, &bytes);
    Ok((bytes, sub))
}
