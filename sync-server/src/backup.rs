//! Online backups of a running server, and restoring one into a new data directory.
//!
//! A backup is one file: every record of the store, as one consistent snapshot (taken under
//! the store's write lock, see [`Store::backup_records`]), then every photo and thumbnail in
//! the photo directory (content-addressed and never changed once written, so they need no
//! lock), then a trailer with the counts and a SHA-256 of everything before it. A file cut
//! short, or changed by a single bit, fails the check and restores nothing.
//!
//! The format (version 1), all integers big-endian:
//!
//! ```text
//! "SEEN-AND-HEARD-BACKUP\n" u32 version
//! ( b'R' u32 key-length key u32 value-length value
//! | b'P' u16 name-length name u64 length bytes )*
//! b'E' u64 records u64 photos [32 bytes: SHA-256 of every byte before this trailer's b'E']
//! ```
//!
//! A backup holds children's records and the server's signing secret: keep it as carefully as
//! the data directory itself.

use std::fs;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::store::StoreError;

const MAGIC: &[u8] = b"SEEN-AND-HEARD-BACKUP\n";
const VERSION: u32 = 1;
/// The longest key or value a backup may hold (far above any record the server writes).
const MAX_RECORD_BYTES: u32 = 256 * 1024 * 1024;
/// The longest photo file a backup may hold.
const MAX_PHOTO_BYTES: u64 = 64 * 1024 * 1024;

/// What went wrong with a backup or a restore.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// Reading or writing a file failed.
    #[error("{0}")]
    Io(#[from] io::Error),
    /// The store failed.
    #[error("{0}")]
    Store(#[from] StoreError),
    /// The file is not a backup, is from a newer version, is cut short or does not match its
    /// checksum.
    #[error("not a usable backup: {0}")]
    Invalid(String),
    /// The data directory already holds a store (in use or not): a restore never overwrites.
    #[error("{0} already holds a store: restore into a new, empty directory")]
    NotEmpty(PathBuf),
}

/// What a backup holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BackupSummary {
    /// Records of the store.
    pub records: u64,
    /// Photo and thumbnail files.
    pub photos: u64,
    /// The SHA-256 of the backup (hex), as its trailer records it.
    pub sha256: String,
}

/// "1234 records, 1 photo, sha256 …": what the operator is told a backup holds.
impl std::fmt::Display for BackupSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use shared::text::count;
        write!(
            f,
            "{}, {}, sha256 {}",
            count(self.records, "record", "records"),
            count(self.photos, "photo", "photos"),
            self.sha256
        )
    }
}

/// Hashes every byte written through it.
struct Hashing<W> {
    inner: W,
    hash: Sha256,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let written = self.inner.write(bytes)?;
        self.hash.update(&bytes[..written]);
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// The photo files to back up: the finished photos and thumbnails (`*.jpg`) at the top of
/// `dir`, in name order; unfinished uploads are left out.
fn photo_files(dir: Option<&Path>) -> io::Result<Vec<(String, PathBuf)>> {
    let Some(dir) = dir else { return Ok(Vec::new()) };
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.file_type()?.is_file() && is_photo_name(&name) {
            out.push((name, entry.path()));
        }
    }
    out.sort();
    Ok(out)
}

/// A photo file's name as the photo store writes it: hex, optionally `.thumb`, then `.jpg`.
fn is_photo_name(name: &str) -> bool {
    let stem = name.strip_suffix(".jpg").map(|s| s.strip_suffix(".thumb").unwrap_or(s));
    stem.is_some_and(|s| !s.is_empty() && s.len() <= 128 && s.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Writes a backup of `records` (a snapshot from [`Store::backup_records`]) and the photos
/// in `photo_dir` to `out`. Blocking: run it off the async runtime.
pub fn write_backup(
    records: &[(Vec<u8>, Vec<u8>)],
    photo_dir: Option<&Path>,
    out: impl Write,
) -> Result<BackupSummary, BackupError> {
    let mut out = Hashing { inner: BufWriter::with_capacity(1 << 20, out), hash: Sha256::new() };
    out.write_all(MAGIC)?;
    out.write_all(&VERSION.to_be_bytes())?;
    for (k, v) in records {
        out.write_all(b"R")?;
        for part in [k, v] {
            let len =
                u32::try_from(part.len()).map_err(|_| BackupError::Invalid("record too large".into()))?;
            out.write_all(&len.to_be_bytes())?;
            out.write_all(part)?;
        }
    }
    let mut photos = 0u64;
    for (name, path) in photo_files(photo_dir)? {
        let bytes = fs::read(&path)?;
        out.write_all(b"P")?;
        out.write_all(&(name.len() as u16).to_be_bytes())?;
        out.write_all(name.as_bytes())?;
        out.write_all(&(bytes.len() as u64).to_be_bytes())?;
        out.write_all(&bytes)?;
        photos += 1;
    }
    let digest = out.hash.clone().finalize();
    let records = records.len() as u64;
    let mut inner = out.inner;
    inner.write_all(b"E")?;
    inner.write_all(&records.to_be_bytes())?;
    inner.write_all(&photos.to_be_bytes())?;
    inner.write_all(&digest)?;
    inner.flush()?;
    Ok(BackupSummary { records, photos, sha256: hex::encode(digest) })
}

/// One item read from a backup.
enum Item {
    Record(Vec<u8>, Vec<u8>),
    Photo(String, Vec<u8>),
}

/// Reads a backup item by item, hashing as it goes.
struct Reader<R> {
    inner: R,
    hash: Sha256,
}

impl<R: Read> Reader<R> {
    fn exact(&mut self, n: usize) -> Result<Vec<u8>, BackupError> {
        let mut buf = vec![0u8; n];
        self.inner.read_exact(&mut buf).map_err(|e| match e.kind() {
            io::ErrorKind::UnexpectedEof => BackupError::Invalid("the file is cut short".into()),
            _ => BackupError::Io(e),
        })?;
        Ok(buf)
    }

    fn hashed(&mut self, n: usize) -> Result<Vec<u8>, BackupError> {
        let buf = self.exact(n)?;
        self.hash.update(&buf);
        Ok(buf)
    }

    fn u32(&mut self) -> Result<u32, BackupError> {
        Ok(u32::from_be_bytes(self.hashed(4)?.try_into().unwrap_or_default()))
    }

    fn part(&mut self) -> Result<Vec<u8>, BackupError> {
        let len = self.u32()?;
        if len > MAX_RECORD_BYTES {
            return Err(BackupError::Invalid("a record is larger than any the server writes".into()));
        }
        self.hashed(len as usize)
    }

    fn header(&mut self) -> Result<(), BackupError> {
        if self.hashed(MAGIC.len())? != MAGIC {
            return Err(BackupError::Invalid("this is not a Seen & Heard backup".into()));
        }
        let version = self.u32()?;
        if version != VERSION {
            return Err(BackupError::Invalid(format!("version {version} is not one this server reads")));
        }
        Ok(())
    }

    /// The next item, or the checked trailer's summary at the end.
    fn next(&mut self) -> Result<Result<Item, BackupSummary>, BackupError> {
        let tag = self.exact(1)?;
        match tag[0] {
            b'R' => {
                self.hash.update(&tag);
                let k = self.part()?;
                let v = self.part()?;
                Ok(Ok(Item::Record(k, v)))
            }
            b'P' => {
                self.hash.update(&tag);
                let len = u16::from_be_bytes(self.hashed(2)?.try_into().unwrap_or_default());
                let name = String::from_utf8(self.hashed(len as usize)?)
                    .ok()
                    .filter(|n| is_photo_name(n))
                    .ok_or_else(|| {
                        BackupError::Invalid("a photo has a name the server never writes".into())
                    })?;
                let size = u64::from_be_bytes(self.hashed(8)?.try_into().unwrap_or_default());
                if size > MAX_PHOTO_BYTES {
                    return Err(BackupError::Invalid("a photo is larger than any the server keeps".into()));
                }
                Ok(Ok(Item::Photo(name, self.hashed(size as usize)?)))
            }
            b'E' => {
                let records = u64::from_be_bytes(self.exact(8)?.try_into().unwrap_or_default());
                let photos = u64::from_be_bytes(self.exact(8)?.try_into().unwrap_or_default());
                let recorded = self.exact(32)?;
                let actual = self.hash.clone().finalize();
                if recorded.as_slice() != actual.as_slice() {
                    return Err(BackupError::Invalid(
                        "the checksum does not match: the file was changed".into(),
                    ));
                }
                let mut rest = [0u8; 1];
                if self.inner.read(&mut rest)? != 0 {
                    return Err(BackupError::Invalid("there is more after the end of the backup".into()));
                }
                Ok(Err(BackupSummary { records, photos, sha256: hex::encode(actual) }))
            }
            _ => Err(BackupError::Invalid("the file is damaged".into())),
        }
    }
}

fn open_reader(path: &Path) -> Result<Reader<BufReader<fs::File>>, BackupError> {
    let mut reader =
        Reader { inner: BufReader::with_capacity(1 << 20, fs::File::open(path)?), hash: Sha256::new() };
    reader.header()?;
    Ok(reader)
}

/// Reads a whole backup and checks it (every byte against the checksum, the counts against the
/// trailer) without writing anything. Blocking.
pub fn check_backup(path: &Path) -> Result<BackupSummary, BackupError> {
    let mut reader = open_reader(path)?;
    let (mut records, mut photos) = (0u64, 0u64);
    loop {
        match reader.next()? {
            Ok(Item::Record(..)) => records += 1,
            Ok(Item::Photo(..)) => photos += 1,
            Err(summary) => {
                if (summary.records, summary.photos) != (records, photos) {
                    return Err(BackupError::Invalid("the counts in the trailer do not match".into()));
                }
                return Ok(summary);
            }
        }
    }
}

/// Restores a backup into `data` (which must not hold a store yet), with its photos in
/// `photo_dir`. The whole file is checked first, so a damaged backup writes nothing; the
/// records then go in as one atomic batch, flushed.
pub async fn restore(path: &Path, data: &Path, photo_dir: &Path) -> Result<BackupSummary, BackupError> {
    let checked = {
        let path = path.to_owned();
        tokio::task::spawn_blocking(move || check_backup(&path)).await.map_err(io::Error::other)??
    };
    if data.exists() && fs::read_dir(data)?.next().is_some() {
        return Err(BackupError::NotEmpty(data.to_owned()));
    }
    let store = crate::store::open(data)?;
    if !store.is_empty().await? {
        return Err(BackupError::NotEmpty(data.to_owned()));
    }
    let mut reader = open_reader(path)?;
    let mut records = Vec::new();
    fs::create_dir_all(photo_dir)?;
    loop {
        match reader.next()? {
            Ok(Item::Record(k, v)) => records.push((k, v)),
            Ok(Item::Photo(name, bytes)) => {
                let target = photo_dir.join(&name);
                let partial = photo_dir.join(format!("{name}.restoring"));
                fs::write(&partial, &bytes)?;
                fs::File::open(&partial)?.sync_all()?;
                fs::rename(&partial, &target)?;
            }
            Err(summary) => {
                if summary != checked {
                    return Err(BackupError::Invalid("the file changed while it was restored".into()));
                }
                break;
            }
        }
    }
    store.restore_records(records).await?;
    Ok(checked)
}

#[cfg(test)]
mod tests {
    use super::BackupSummary;

    #[test]
    fn a_summary_words_each_count_for_one_and_for_many() {
        let one = BackupSummary { records: 1, photos: 1, sha256: "ab12".into() };
        assert_eq!(one.to_string(), "1 record, 1 photo, sha256 ab12");
        let many = BackupSummary { records: 1234, photos: 0, sha256: "ab12".into() };
        assert_eq!(many.to_string(), "1234 records, 0 photos, sha256 ab12");
    }
}
